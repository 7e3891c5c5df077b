import { formatDuration } from '../config/duration.js'
import type { MfaSource } from '../mfa/mfa-source.js'
import type { Logger } from '../runtime/types.js'
import type { ObtainTrace } from './hand-out.js'
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
  trace?: ObtainTrace
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
        const creds = await sts.getSessionToken({ durationSeconds: o.durationSeconds })
        o.trace?.({ kind: 'call', api: 'GetSessionToken', profile: o.profile })
        return creds
      }
      const serial = o.mfaSerial
      const creds = await withMfaRetry(o.mfa, { serial, profile: o.profile }, o.log, (tokenCode) => {
        o.log.debug(`profile ${o.profile}: GetSessionToken with MFA ${serial} for ${formatDuration(o.durationSeconds)}`)
        return sts.getSessionToken({ durationSeconds: o.durationSeconds, mfa: { serialNumber: serial, tokenCode } })
      })
      o.trace?.({ kind: 'call', api: 'GetSessionToken', profile: o.profile, mfaSerial: serial })
      return creds
    },
  }
}
