import { ROLE_CHAINING_MAX_SECONDS } from '../config/duration.js'
import type { ResolvedProfile } from '../config/types.js'
import type { MfaSource } from '../mfa/mfa-source.js'
import type { Clock, Env, Logger } from '../runtime/types.js'
import type { ObtainTrace } from './hand-out.js'
import type { CredentialProvider, LockFn, LongTermKeys, SessionCache } from './provider.js'
import type { SsoContext } from './sso-provider.js'
import type { StsFactory } from './sts-port.js'

// What the chain (src/vault/chain.ts) is given, what it hands back, and what its links share
// while it walks down a profile's sources.

/** AWS caps a role assumed with temporary credentials (role chaining) at one hour. */
export const roleChainingMaxSeconds = ROLE_CHAINING_MAX_SECONDS

export interface ChainContext {
  keys: LongTermKeys
  sessions: SessionCache
  sts: StsFactory
  mfa: MfaSource
  clock: Clock
  log: Logger
  env: Env
  lock: LockFn
  /** --no-session: hand out long-term keys, and assume roles straight from them. */
  noSession: boolean
  /** Expiry window in seconds for the credentials handed out (AWS_MIN_TTL, or 15 min for credential_process). */
  windowSeconds: number
  /** A `vault: warning: …` line for stderr, e.g. an mfa_serial that no call on the path uses. */
  warn?: (message: string) => void
  /** IAM Identity Center: token store, browser, where the code is shown. Absent: SSO profiles fail. */
  sso?: SsoContext
  /** Told each step the chain takes (cache hit, key read, STS/SSO/process call): the hand-out's record. */
  trace?: ObtainTrace
}

/** What a link's credentials are; only long-term keys may assume a role for more than 1 h. */
export type LinkKind = 'keys' | 'session' | 'role' | 'external'

export interface Link {
  provider: CredentialProvider
  kind: LinkKind
  /** The MFA serial already satisfied on the way (by a GetSessionToken or an AssumeRole with MFA). */
  mfaUsed?: string
}

export interface Chain {
  provider: CredentialProvider
  /** What the credentials handed out are. */
  kind: LinkKind
  /** For role credentials: true when the role is assumed straight from long-term keys. */
  roleFromKeys: boolean
}

/** What one providerFor call learns on its way down the chain. */
export interface Walk {
  ctx: ChainContext
  active: string
  /** Every profile the chain reads, top first. */
  visited: ResolvedProfile[]
  /** Serials some STS call on the path carries (or a shared session already carried). */
  mfaUsed: Set<string>
  /** Why a profile's mfa_serial was left out, by profile name. */
  mfaSkipped: Map<string, string>
  /** Set by roleLink for the role whose credentials are handed out. */
  roleFromKeys: boolean
}
