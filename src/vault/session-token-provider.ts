import { formatDuration } from '../config/duration.js'
import type { MfaSource } from '../mfa/mfa-source.js'
import type { Logger } from '../runtime/types.js'
import { withMfaRetry } from './mfa-retry.js'
import type { CredentialProvider } from './provider.js'
import type { StsFactory, StsTarget } from './sts-port.js'

export interface SessionTokenOptions {
  source: CredentialProvider
  profile: string
  durationSeconds: number
  mfaSerial?: string
  mfa: MfaSource
  sts: StsFactory
  target: StsTarget
  log: Logger
}

/** GetSessionToken over `source` (long-term keys), with MFA when a serial is set. */
export function sessionTokenProvider(o: SessionTokenOptions): CredentialProvider {
  return {
    description: `GetSessionToken for ${o.profile}`,
    async retrieve() {
      const keys = await o.source.retrieve()
      const sts = o.sts(keys, o.target)
      if (!o.mfaSerial) {
        o.log.debug(`profile ${o.profile}: GetSessionToken without MFA for ${formatDuration(o.durationSeconds)}`)
        return sts.getSessionToken({ durationSeconds: o.durationSeconds })
      }
      const serial = o.mfaSerial
      return withMfaRetry(o.mfa, { serial, profile: o.profile }, o.log, (tokenCode) => {
        o.log.debug(`profile ${o.profile}: GetSessionToken with MFA ${serial} for ${formatDuration(o.durationSeconds)}`)
        return sts.getSessionToken({ durationSeconds: o.durationSeconds, mfa: { serialNumber: serial, tokenCode } })
      })
    },
  }
}
