import { execFile } from 'node:child_process'
import { MfaError } from '../errors.js'
import { isValidMfaCode } from './mfa-source.js'

/**
 * The `ykman` driver, as aws-vault's: reads a TOTP code from a YubiKey's OATH application. The
 * OATH account is named after the MFA device (the part of the serial after `mfa/`), unless
 * YKMAN_OATH_CREDENTIAL_NAME says otherwise.
 */
export function ykmanCode(serial: string, profile: string, env: Record<string, string | undefined>): Promise<string> {
  const account = env.YKMAN_OATH_CREDENTIAL_NAME ?? serial.replace(/^arn:aws[\w-]*:iam::\d+:mfa\//, '')
  return new Promise((resolve, reject) => {
    execFile('ykman', ['oath', 'accounts', 'code', '--single', account], { env, timeout: 30_000 }, (err, stdout) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
        reject(
          new MfaError(
            missing
              ? 'the ykman prompt driver needs ykman, which is not installed'
              : `profile "${profile}": ykman could not read a code for "${account}"`,
            missing
              ? 'install yubikey-manager, or use --prompt terminal'
              : 'touch your YubiKey when it blinks, and check the OATH account name',
          ),
        )
        return
      }
      const code = stdout.trim()
      if (!isValidMfaCode(code)) reject(new MfaError(`profile "${profile}": ykman returned no six-digit code`))
      else resolve(code)
    })
  })
}
