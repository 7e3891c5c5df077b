import { Command, Flags, type Interfaces } from '@oclif/core'
import { createRuntime, type Runtime } from '../runtime/runtime.js'
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
      summary: 'Secret backend: keychain, wincred, secret-service or file (default: the OS keychain).',
    }),
    debug: Flags.boolean({
      helpGroup: 'GLOBAL',
      summary: 'Log every decision vault makes to stderr.',
    }),
    prompt: Flags.string({
      env: 'AWS_VAULT_PROMPT',
      helpGroup: 'GLOBAL',
      summary: 'MFA prompt driver: terminal or ykman.',
    }),
  }

  private runtimeInstance?: Runtime

  /** The composition root for this invocation, built from the global flags. */
  protected runtime(flags: Record<string, unknown>): Runtime {
    this.runtimeInstance ??= createRuntime(runtimeOptions(flags))
    return this.runtimeInstance
  }
}
