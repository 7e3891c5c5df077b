import { formatDuration, ROLE_CHAINING_MAX_SECONDS } from '../config/duration.js'
import { AwsCallError, MfaError } from '../errors.js'
import type { MfaSource } from '../mfa/mfa-source.js'
import type { Logger } from '../runtime/types.js'
import type { ObtainTrace } from './hand-out.js'
import { withMfaRetry } from './mfa-retry.js'
import type { CredentialProvider } from './provider.js'
import type { AssumeRoleInput, StsFactory, StsTarget } from './sts-port.js'

export interface AssumeRoleOptions {
  source: CredentialProvider
  profile: string
  role: Omit<AssumeRoleInput, 'mfa'>
  /** Set when this AssumeRole call itself must carry MFA (no MFA session was used on the way). */
  mfaSerial?: string
  mfa: MfaSource
  sts: StsFactory
  target: StsTarget
  log: Logger
  /**
   * The source may hand out long-term keys or temporary credentials (credential_process): cap the
   * duration at 1 h when they turn out temporary, since AWS refuses more for role chaining.
   */
  capIfTemporary?: boolean
  trace?: ObtainTrace
}

/**
 * AssumeRole over `source`. When STS says the source session expired (a cached session revoked or
 * clock skew), the source's cache entry is dropped and the call is retried once with fresh
 * source credentials.
 */
export function assumeRoleProvider(o: AssumeRoleOptions): CredentialProvider {
  const attempt = async (mfa: MfaSource) => {
    const sourceCreds = await o.source.retrieve()
    const sts = o.sts(sourceCreds, o.target)
    const mfaNote = o.mfaSerial ? ` with MFA ${o.mfaSerial}` : ''
    let durationSeconds = o.role.durationSeconds
    if (o.capIfTemporary && sourceCreds.sessionToken && durationSeconds > ROLE_CHAINING_MAX_SECONDS) {
      o.log.debug(
        `profile ${o.profile}: capping AssumeRole duration from ${formatDuration(durationSeconds)} to AWS maximum 1h for role chaining (${o.source.description} gave temporary credentials)`,
      )
      durationSeconds = ROLE_CHAINING_MAX_SECONDS
    }
    const call = (tokenCode?: string) => {
      o.log.debug(
        `profile ${o.profile}: AssumeRole ${o.role.roleArn}${mfaNote} for ${formatDuration(durationSeconds)} as ${o.role.roleSessionName}`,
      )
      return sts.assumeRole({
        ...o.role,
        durationSeconds,
        mfa: tokenCode && o.mfaSerial ? { serialNumber: o.mfaSerial, tokenCode } : undefined,
      })
    }
    const creds = o.mfaSerial
      ? await withMfaRetry(mfa, { serial: o.mfaSerial, profile: o.profile }, o.log, call)
      : await call()
    o.trace?.({
      kind: 'call',
      api: 'AssumeRole',
      profile: o.profile,
      roleArn: o.role.roleArn,
      roleSessionName: o.role.roleSessionName,
      sourceIdentity: o.role.sourceIdentity,
      mfaSerial: o.mfaSerial,
    })
    return creds
  }
  return {
    description: `AssumeRole ${o.role.roleArn} for ${o.profile}`,
    async retrieve() {
      // STS checks the signing credentials before the MFA code, so a call refused with
      // ExpiredToken did not use up its code: the retry sends the same one (-t answers once).
      const mfa = reusedCode(o.mfa)
      try {
        return await attempt(mfa)
      } catch (err) {
        if (!(err instanceof AwsCallError && err.code === 'ExpiredToken' && o.source.invalidate)) throw err
        o.log.debug(`profile ${o.profile}: source credentials expired (ExpiredToken): clearing them and retrying once`)
        await o.source.invalidate()
        try {
          return await attempt(mfa)
        } catch (retryErr) {
          if (!(retryErr instanceof MfaError)) throw retryErr
          throw new MfaError(
            `profile "${o.profile}": STS says the source credentials expired (ExpiredToken), and new ones need an MFA code: ${retryErr.message}`,
            retryErr.hint && `${retryErr.hint}; if this repeats, check the system clock`,
            { cause: retryErr },
          )
        }
      }
    },
  }
}

/** The first code asked for each serial is reused for the rest of one retrieve. */
function reusedCode(mfa: MfaSource): MfaSource {
  const codes = new Map<string, Promise<string>>()
  return (request) => {
    let code = codes.get(request.serial)
    if (!code) {
      code = mfa(request)
      codes.set(request.serial, code)
    }
    return code
  }
}
