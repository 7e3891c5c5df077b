import { MfaError } from '../errors.js'
import type { Env } from '../runtime/types.js'
import { isValidMfaCode } from './mfa-source.js'

/**
 * The `pass` driver, as aws-vault's (prompt/pass.go): `pass otp NAME`, where NAME is
 * PASS_OATH_CREDENTIAL_NAME or else the MFA serial. pass may ask for a GPG passphrase, so its
 * stderr reaches the user; a deadline keeps a stuck agent from hanging vault.
 */
export async function passCode(serial: string, profile: string, env: Env, timeoutMs = 60_000): Promise<string> {
  const { execFile } = await import('node:child_process')
  const name = env.PASS_OATH_CREDENTIAL_NAME || serial
  return new Promise((resolve, reject) => {
    const options = { env: env as NodeJS.ProcessEnv, timeout: timeoutMs, maxBuffer: 64 * 1024 }
    const child = execFile('pass', ['otp', name], options, (err, stdout) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
        reject(
          new MfaError(
            missing
              ? 'the pass prompt driver needs pass (with pass-otp), which is not installed'
              : `profile "${profile}": pass otp ${name} failed (${err.killed ? 'timed out' : `exit ${err.code}`})`,
            missing
              ? 'install pass and pass-otp, or use --prompt terminal'
              : 'check the entry name (PASS_OATH_CREDENTIAL_NAME, or the MFA serial)',
          ),
        )
        return
      }
      const code = stdout.trim()
      if (isValidMfaCode(code)) resolve(code)
      else reject(new MfaError(`profile "${profile}": pass otp ${name} printed no six-digit code`))
    })
    child.stderr?.pipe(process.stderr)
  })
}
