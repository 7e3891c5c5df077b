import { execFile } from 'node:child_process'
import { MfaError } from '../errors.js'
import { isValidMfaCode } from './mfa-source.js'

/**
 * ykman's arguments, as aws-vault's prompt/ykman.go builds them: the OATH account is the MFA
 * serial (its docs add it with `ykman oath accounts add -t arn:aws:iam::…:mfa/NAME`) unless
 * YKMAN_OATH_CREDENTIAL_NAME names another; YKMAN_OATH_DEVICE_SERIAL picks one of several
 * YubiKeys (`--device`); AWS_VAULT_YKMAN_VERSION 1, 2 or 3 uses ykman 3's `oath code`, anything
 * else ykman 4's `oath accounts code`.
 */
export function ykmanArgs(
  serial: string,
  env: Record<string, string | undefined>,
): { account: string; args: string[] } {
  const account = env.YKMAN_OATH_CREDENTIAL_NAME || serial
  const device = env.YKMAN_OATH_DEVICE_SERIAL ? ['--device', env.YKMAN_OATH_DEVICE_SERIAL] : []
  const legacy = ['1', '2', '3'].includes(env.AWS_VAULT_YKMAN_VERSION ?? '')
  const code = legacy ? ['oath', 'code'] : ['oath', 'accounts', 'code']
  return { account, args: [...device, ...code, '--single', account] }
}

/** The `ykman` prompt driver: reads a TOTP code from a YubiKey's OATH application. */
export function ykmanCode(serial: string, profile: string, env: Record<string, string | undefined>): Promise<string> {
  const { account, args } = ykmanArgs(serial, env)
  return new Promise((resolve, reject) => {
    execFile('ykman', args, { env, timeout: 30_000 }, (err, stdout) => {
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
