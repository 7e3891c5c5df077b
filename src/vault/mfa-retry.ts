import { AwsCallError } from '../errors.js'
import type { MfaSource } from '../mfa/mfa-source.js'
import type { Logger } from '../runtime/types.js'

/**
 * Gets a code and makes the call. A code STS rejects is reported as such; vault does not loop on
 * STS rejections because each retry costs the user a new code and AWS counts failed attempts.
 */
export async function withMfaRetry<T>(
  mfa: MfaSource,
  request: { serial: string; profile: string },
  log: Logger,
  call: (tokenCode: string) => Promise<T>,
): Promise<T> {
  const code = await mfa(request)
  try {
    return await call(code)
  } catch (err) {
    if (err instanceof AwsCallError && err.code === 'MfaRejected') {
      log.debug(`profile ${request.profile}: STS rejected the MFA code for ${request.serial}`)
    }
    throw err
  }
}
