import { AwsCallError } from '../errors.js'
import type { Clock, Env } from '../runtime/types.js'
import { parseProcessCredentials } from './credential-process-output.js'
import type { CredentialProvider } from './provider.js'

export interface CredentialProcessOptions {
  profile: string
  command: string
  env: Env
  clock: Clock
}

/** A stuck helper must not hang vault (nor every SDK call waiting on it). */
const timeoutMs = 120_000

/** Runs a profile's credential_process through the shell and checks the JSON it prints (credential-process-output.ts). */
export function credentialProcessProvider(o: CredentialProcessOptions): CredentialProvider {
  return {
    description: `credential_process of ${o.profile}`,
    // node:child_process is loaded on use: it drags in net and dgram, which a cache hit never needs.
    retrieve: async () => {
      const { exec } = await import('node:child_process')
      const stdout = await new Promise<string>((resolve, reject) => {
        const options = { env: o.env as NodeJS.ProcessEnv, timeout: timeoutMs, maxBuffer: 1024 * 1024 }
        const child = exec(o.command, options, (err, out) => {
          if (err) {
            reject(
              new AwsCallError(
                `profile "${o.profile}": credential_process failed (${err.killed ? 'timed out' : `exit ${err.code}`})`,
                'CredentialProcessFailed',
                'run the credential_process command by hand to see why',
              ),
            )
            return
          }
          resolve(out)
        })
        child.stderr?.pipe(process.stderr)
      })
      return parseProcessCredentials(o.profile, stdout, o.clock.now())
    },
  }
}
