import { Command, Flags, type Interfaces } from '@oclif/core'
import { createRuntime, type Runtime } from '../runtime/runtime.js'
import { STORE_ENV } from '../stores/store-settings.js'

export type BaseFlags = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags']>

/**
 * Every vault command extends this. It owns the global flags and builds the composition root
 * once per invocation; errors are rendered by src/cli/report-error.ts, not here, so parse errors
 * thrown before run() are rendered the same way.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    backend: Flags.string({
      env: 'AWS_VAULT_BACKEND',
      helpGroup: 'GLOBAL',
      summary: 'Secret backend: keychain, wincred, secret-service, file or pass (default: the OS keychain).',
    }),
    debug: Flags.boolean({
      helpGroup: 'GLOBAL',
      summary: 'Log every decision vault makes to stderr.',
    }),
    'file-dir': Flags.string({
      env: STORE_ENV.fileDir,
      helpGroup: 'GLOBAL',
      summary: 'Directory of the file backend (default: ~/.awsvault/keys).',
    }),
    keychain: Flags.string({
      env: STORE_ENV.keychainName,
      helpGroup: 'GLOBAL',
      summary: "aws-vault's macOS keychain name; accepted, not used: vault uses the default keychain search list.",
    }),
    'pass-cmd': Flags.string({
      env: STORE_ENV.passCmd,
      helpGroup: 'GLOBAL',
      summary: 'Name of the pass executable (default: pass).',
    }),
    'pass-dir': Flags.string({
      env: STORE_ENV.passDir,
      helpGroup: 'GLOBAL',
      summary: 'Password store of the pass backend (default: PASSWORD_STORE_DIR or ~/.password-store).',
    }),
    'pass-prefix': Flags.string({
      env: STORE_ENV.passPrefix,
      helpGroup: 'GLOBAL',
      summary: 'Folder inside the password store for the pass backend items.',
    }),
    prompt: Flags.string({
      env: 'AWS_VAULT_PROMPT',
      helpGroup: 'GLOBAL',
      summary: 'MFA prompt driver: terminal or ykman.',
    }),
    'secret-service-collection': Flags.string({
      env: STORE_ENV.secretServiceCollection,
      helpGroup: 'GLOBAL',
      summary: "aws-vault's Secret Service collection; accepted, not used: vault uses the default collection.",
    }),
  }

  private runtimeInstance?: Runtime

  /** The composition root for this invocation, built from the global flags. */
  protected runtime(flags: Partial<BaseFlags>): Runtime {
    this.runtimeInstance ??= createRuntime({
      backend: flags.backend,
      debug: flags.debug ?? false,
      prompt: flags.prompt,
      store: {
        fileDir: flags['file-dir'],
        keychainName: flags.keychain,
        secretServiceCollection: flags['secret-service-collection'],
        passDir: flags['pass-dir'],
        passCmd: flags['pass-cmd'],
        passPrefix: flags['pass-prefix'],
      },
    })
    return this.runtimeInstance
  }
}
