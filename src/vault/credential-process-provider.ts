import { AwsCallError } from '../errors.js'
import type { CredentialProvider } from './provider.js'

/** Runs a profile's credential_process through the shell and parses the Version 1 JSON it prints. */
export function credentialProcessProvider(
  profile: string,
  command: string,
  env: Record<string, string | undefined>,
): CredentialProvider {
  return {
    description: `credential_process of ${profile}`,
    // node:child_process is loaded on use: it drags in net and dgram, which a cache hit never needs.
    retrieve: async () => {
      const { exec } = await import('node:child_process')
      return new Promise((resolve, reject) => {
        const child = exec(command, { env, timeout: 120_000, maxBuffer: 1024 * 1024 }, (err, stdout) => {
          if (err) {
            reject(
              new AwsCallError(
                `profile "${profile}": credential_process failed (${err.killed ? 'timed out' : `exit ${err.code}`})`,
                'CredentialProcessFailed',
                'run the credential_process command by hand to see why',
              ),
            )
            return
          }
          try {
            const out = JSON.parse(stdout) as Record<string, unknown>
            if (out.Version !== 1 || typeof out.AccessKeyId !== 'string' || typeof out.SecretAccessKey !== 'string')
              throw new Error('shape')
            resolve({
              accessKeyId: out.AccessKeyId,
              secretAccessKey: out.SecretAccessKey,
              sessionToken: typeof out.SessionToken === 'string' ? out.SessionToken : undefined,
              expiration: typeof out.Expiration === 'string' ? new Date(out.Expiration) : undefined,
            })
          } catch {
            reject(
              new AwsCallError(
                `profile "${profile}": credential_process did not print Version 1 credential JSON`,
                'CredentialProcessInvalid',
              ),
            )
          }
        })
        child.stderr?.pipe(process.stderr)
      })
    },
  }
}
