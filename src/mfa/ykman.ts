import { MfaError } from '../errors.js'
import { readCode } from './mfa-process.js'

/**
 * ykman's arguments, as aws-vault's YkmanMfaProvider builds them (ByteNess prompt/ykman.go): the
 * OATH account is the mfa_serial itself unless YKMAN_OATH_CREDENTIAL_NAME names another;
 * YKMAN_OATH_DEVICE_SERIAL picks one of several YubiKeys with --device; AWS_VAULT_YKMAN_VERSION
 * 1 to 3 selects the old `oath code` syntax.
 */
export function ykmanArgs(serial: string, env: Record<string, string | undefined>): string[] {
  const account = env.YKMAN_OATH_CREDENTIAL_NAME || serial
  const device = env.YKMAN_OATH_DEVICE_SERIAL ? ['--device', env.YKMAN_OATH_DEVICE_SERIAL] : []
  const old = ['1', '2', '3'].includes(env.AWS_VAULT_YKMAN_VERSION ?? '')
  return [...device, 'oath', ...(old ? [] : ['accounts']), 'code', '--single', account]
}

/** The `ykman` driver: reads a TOTP code from a YubiKey's OATH application. */
export async function ykmanCode(
  serial: string,
  profile: string,
  env: Record<string, string | undefined>,
): Promise<string> {
  const args = ykmanArgs(serial, env)
  try {
    return await readCode({
      command: 'ykman',
      args,
      env,
      name: 'ykman',
      profile,
      hint: `touch your YubiKey when it blinks, and check that its OATH account is named "${args.at(-1)}" (ykman oath accounts list)`,
      timeoutMs: 30_000,
    })
  } catch (err) {
    if (err instanceof MfaError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new MfaError(
        'the ykman prompt driver needs ykman, which is not installed',
        'install yubikey-manager, or use --prompt terminal',
      )
    }
    throw err
  }
}
