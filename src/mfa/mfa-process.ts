import { exec } from 'node:child_process'
import { MfaError } from '../errors.js'
import { isValidMfaCode } from './mfa-source.js'

/**
 * Runs mfa_process through the shell, as aws-vault does, and returns its trimmed stdout.
 * stderr is passed through so the process can talk to the user. A 60 s limit keeps a stuck
 * helper from hanging vault.
 */
export function runMfaProcess(
  command: string,
  profile: string,
  env: Record<string, string | undefined>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = exec(command, { env, timeout: 60_000, maxBuffer: 64 * 1024 }, (err, stdout) => {
      if (err) {
        reject(
          new MfaError(
            `profile "${profile}": mfa_process failed (${err.killed ? 'timed out' : `exit ${err.code}`})`,
            'check the mfa_process command in your config',
          ),
        )
        return
      }
      const code = stdout.trim()
      if (!isValidMfaCode(code)) {
        reject(
          new MfaError(
            `profile "${profile}": mfa_process printed something other than a six-digit code`,
            'make mfa_process print only the code',
          ),
        )
        return
      }
      resolve(code)
    })
    child.stderr?.pipe(process.stderr)
  })
}
