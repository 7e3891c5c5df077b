import { MfaError } from '../errors.js'
import { OutputFailure, readOutput } from '../exec/read-output.js'
import type { Env } from '../runtime/types.js'
import { isValidMfaCode } from './mfa-source.js'

/**
 * The `pass` driver, as aws-vault's (prompt/pass.go): `pass otp NAME`, where NAME is
 * PASS_OATH_CREDENTIAL_NAME or else the MFA serial. pass may ask for a GPG passphrase, so its
 * stderr reaches the user; a deadline keeps a stuck agent from hanging vault.
 */
export async function passCode(serial: string, profile: string, env: Env, timeoutMs = 60_000): Promise<string> {
  const name = env.PASS_OATH_CREDENTIAL_NAME || serial
  let code: string
  try {
    // Its own process group, killed at the deadline: gpg under pass may be the one stuck.
    code = await readOutput({ command: 'pass', args: ['otp', name], env, timeoutMs, maxStdout: 64 * 1024, group: true })
  } catch (err) {
    if (!(err instanceof OutputFailure)) throw err
    const missing = (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
    throw new MfaError(
      missing
        ? 'the pass prompt driver needs pass (with pass-otp), which is not installed'
        : `profile "${profile}": pass otp ${name} ${err.timedOut ? 'timed out' : err.why}`,
      missing
        ? 'install pass and pass-otp, or use --prompt terminal'
        : 'check the entry name (PASS_OATH_CREDENTIAL_NAME, or the MFA serial)',
    )
  }
  if (isValidMfaCode(code)) return code
  throw new MfaError(`profile "${profile}": pass otp ${name} printed no six-digit code`)
}
