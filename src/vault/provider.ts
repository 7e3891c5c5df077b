import type { AwsCredentials } from '../aws/credentials.js'

/** One link of a credential chain. */
export interface CredentialProvider {
  /** For --debug lines and errors, e.g. `GetSessionToken for caktus`. */
  readonly description: string
  retrieve(): Promise<AwsCredentials>
  /** Forget any cached result, so the next retrieve() fetches anew. */
  invalidate?(): Promise<void>
}

/** What the chain needs from the long-term key store. */
export interface LongTermKeys {
  /** With `confirm`, an absence is checked against the store itself, not only its index. */
  has(profile: string, options?: { confirm?: boolean }): Promise<boolean>
  get(profile: string): Promise<AwsCredentials | null>
}

/** aws-vault's session item identity: type, profile, MFA serial ('' when none). */
export interface SessionKey {
  type:
    | 'sts.GetSessionToken'
    | 'sts.AssumeRole'
    | 'sts.AssumeRoleWithWebIdentity'
    | 'sts.GetFederationToken'
    | 'credential_process'
    | 'sso.GetRoleCredentials'
  profile: string
  mfaSerial: string
}

/** What the chain needs from the session store. */
export interface SessionCache {
  /** The newest unexpired item for the key, or null. */
  get(key: SessionKey, now: Date): Promise<AwsCredentials | null>
  set(key: SessionKey, creds: AwsCredentials, now: Date): Promise<void>
  remove(key: SessionKey): Promise<unknown>
}

/**
 * Runs `fn` holding the named lock, so only one process (and one request within a process)
 * fetches a given credential at a time. See src/vault/locking.ts for the ordering rule.
 */
/** What a lock's waiters are told: how long the holder may take, and what to do about it. */
export interface LockWait {
  /** How long a waiter waits before giving up. */
  waitMs: number
  /** The advice when it gives up. */
  hint: string
}

export type LockFn = <T>(name: string, fn: () => Promise<T>, wait?: LockWait) => Promise<T>

export const noLock: LockFn = (_name, fn) => fn()

/** "7h59m", "4m", "12s": how long is left, for --debug lines and `vault list`. */
export function formatRemaining(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (h > 0) return `${h}h${m}m`
  if (m > 0) return `${m}m`
  return `${s}s`
}
