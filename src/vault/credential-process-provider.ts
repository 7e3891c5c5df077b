import { AwsCallError } from '../errors.js'
import { OutputFailure, readOutput } from '../exec/read-output.js'
import type { Clock, Env } from '../runtime/types.js'
import { parseProcessCredentials } from './credential-process-output.js'
import type { ObtainTrace } from './hand-out.js'
import type { CredentialProvider } from './provider.js'

export interface CredentialProcessOptions {
  profile: string
  command: string
  env: Env
  clock: Clock
  /** 120 s unless a test says otherwise. */
  timeoutMs?: number
  trace?: ObtainTrace
}

/** A stuck helper must not hang vault (nor every SDK call waiting on it). */
const timeoutMs = 120_000
/** The JSON is a few KiB; more is a mistake (the AWS CLI and SDKs read it whole, too). */
const maxOutput = 1024 * 1024

/**
 * Runs a profile's credential_process through the shell and checks the JSON it prints
 * (credential-process-output.ts).
 * It runs under mfa_process's rules (src/exec/read-output.ts): vault is done when it exits, even
 * if a background child it started holds stdout; a deadline; and an output cap.
 */
export function credentialProcessProvider(o: CredentialProcessOptions): CredentialProvider {
  return {
    description: `credential_process of ${o.profile}`,
    retrieve: async () => {
      let stdout: string
      try {
        stdout = await readOutput({
          command: o.command,
          shell: true,
          env: o.env,
          timeoutMs: o.timeoutMs ?? timeoutMs,
          maxStdout: maxOutput,
        })
      } catch (err) {
        if (!(err instanceof OutputFailure)) throw err
        throw new AwsCallError(
          `profile "${o.profile}": credential_process ${err.why}`,
          err.tooLarge ? 'CredentialProcessInvalid' : 'CredentialProcessFailed',
          err.tooLarge
            ? 'make credential_process print only the JSON described in the AWS CLI docs'
            : 'run the credential_process command by hand to see why',
          { cause: err.cause },
        )
      }
      const creds = parseProcessCredentials(o.profile, stdout, o.clock.now())
      o.trace?.({ kind: 'call', api: 'credential_process', profile: o.profile })
      return creds
    },
  }
}
