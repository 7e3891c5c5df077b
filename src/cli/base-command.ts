import { Command, Flags, type Interfaces } from '@oclif/core'
import { createRuntime, type Runtime } from '../compose/runtime.js'
import { promptDrivers } from '../mfa/select.js'
import { STORE_ENV } from '../stores/store-settings.js'
import type { CommandSpec } from './command-line.js'
import { usageErrorFrom } from './parse-errors.js'
import { runtimeOptions } from './requests.js'

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
      summary: `MFA prompt driver: ${promptDrivers.join(', ')}.`,
    }),
    'secret-service-collection': Flags.string({
      env: STORE_ENV.secretServiceCollection,
      helpGroup: 'GLOBAL',
      summary: "aws-vault's Secret Service collection (default: awsvault); only import --from aws-vault reads it.",
    }),
  }

  private runtimeInstance?: Runtime

  /** oclif's parse errors become one line naming the command and the fix (src/cli/parse-errors.ts). */
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    const ctor = this.ctor as unknown as CommandSpec & { usage?: string | string[] }
    const id = this.id ?? ''
    const usage =
      typeof ctor.usage === 'string'
        ? ctor.usage.replace('<%= command.id %>', id)
        : [id, ...Object.keys(ctor.args ?? {}).map((a) => a.toUpperCase())].join(' ')
    const spec = { ...ctor, flags: { ...(this.ctor.baseFlags ?? {}), ...(this.ctor.flags ?? {}) } } as CommandSpec
    throw usageErrorFrom(err, id, spec, usage)
  }

  /** The composition root for this invocation, built from the global flags. */
  protected runtime(flags: Record<string, unknown>): Runtime {
    this.runtimeInstance ??= createRuntime(runtimeOptions(flags))
    return this.runtimeInstance
  }
}
