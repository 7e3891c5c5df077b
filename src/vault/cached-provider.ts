import { formatDuration } from '../config/duration.js'
import { AwsCallError } from '../errors.js'
import type { Clock, Logger } from '../runtime/types.js'
import type { ObtainTrace } from './hand-out.js'
import {
  type CredentialProvider,
  formatRemaining,
  type LockFn,
  type LockWait,
  type SessionCache,
  type SessionKey,
} from './provider.js'

export interface CacheOptions {
  cache: SessionCache
  key: SessionKey
  clock: Clock
  log: Logger
  /** Reuse a cached item only while more than this many seconds are left. */
  windowSeconds: number
  lock: LockFn
  /**
   * An explicit --duration for the credentials handed out: a cached item is then reused only
   * while at least `requestedSeconds - windowSeconds` are left, so `-d 2h` never gets 58 minutes.
   */
  requestedSeconds?: number
  /** How long a process waits for another fetching the same key (the lock's default when unset). */
  wait?: LockWait
  /** Told of each cache hit. */
  trace?: ObtainTrace
}

/**
 * Caching decorator, like aws-vault's CachedSessionProvider: serves the cached item while it is
 * outside the expiry window, otherwise fetches through `inner` and stores the result. The
 * check-fetch-store sequence runs under a per-key lock and re-checks the cache once the lock is
 * held, so parallel processes fetch (and prompt for MFA) once.
 */
export function cachedProvider(inner: CredentialProvider, options: CacheOptions): CredentialProvider {
  const { cache, key, clock, log, windowSeconds, lock, requestedSeconds, wait, trace } = options
  const label = labelOf(key)
  const plural = key.type === 'sts.AssumeRole' || key.type === 'credential_process'
  const lookup = async () => {
    const now = clock.now()
    const creds = await cache.get(key, now)
    if (!creds?.expiration) return null
    const left = creds.expiration.getTime() - now.getTime()
    const needed = requestedSeconds === undefined ? 0 : requestedSeconds - windowSeconds
    if (outsideWindow(left, windowSeconds) && left < needed * 1000) {
      log.debug(
        `profile ${key.profile}: cached ${label} expire${plural ? '' : 's'} in ${formatRemaining(left)}, short of the ${formatDuration(requestedSeconds ?? 0)} asked for with --duration (reused only with ${formatRemaining(needed * 1000)} left): refreshing`,
      )
      return null
    }
    if (outsideWindow(left, windowSeconds)) {
      log.debug(
        `profile ${key.profile}: using cached ${label} (expire${plural ? '' : 's'} in ${formatRemaining(left)})`,
      )
      trace?.({ kind: 'cache', type: key.type, profile: key.profile })
      return creds
    }
    log.debug(
      `profile ${key.profile}: cached ${label} expire in ${formatRemaining(left)}, inside the ${formatRemaining(windowSeconds * 1000)} window: refreshing`,
    )
    return null
  }
  return {
    description: `cached ${inner.description}`,
    async retrieve() {
      const hit = await lookup()
      if (hit) return hit
      return lock(
        lockName(key),
        async () => {
          // Another process may have fetched while we waited for the lock.
          const fresh = await lookup()
          if (fresh) return fresh
          const creds = await inner.retrieve()
          refuseExpired(creds.expiration, inner.description, key, clock.now())
          if (!creds.expiration) {
            // Long-term keys (credential_process may print them): nothing to expire, nothing to cache.
            log.debug(`profile ${key.profile}: ${label} have no expiration; not cached`)
            return creds
          }
          await cache.set(key, creds, clock.now())
          log.debug(`profile ${key.profile}: cached ${label} until ${creds.expiration.toISOString()}`)
          return creds
        },
        wait,
      )
    },
    async invalidate() {
      log.debug(`profile ${key.profile}: removing cached ${label}`)
      await cache.remove(key)
    },
  }
}

/**
 * True while a cached item with `leftMs` to go may be served: more than `windowSeconds` are left
 * (aws-vault's ExpiryWindow). The one rule for "still usable"; `vault status` asks it too.
 */
export function outsideWindow(leftMs: number, windowSeconds: number): boolean {
  return leftMs > windowSeconds * 1000
}

/**
 * Credentials that are already expired, or whose expiration is no time at all, are refused from
 * every source (STS, IAM Identity Center, credential_process): handing them out would only move
 * the failure to the caller, as an ExpiredToken far from its cause.
 */
function refuseExpired(expiration: Date | undefined, source: string, key: SessionKey, now: Date): void {
  if (!expiration) return
  const at = expiration.getTime()
  if (Number.isNaN(at))
    throw new AwsCallError(
      `profile "${key.profile}": ${source} returned credentials with an expiration that is not a time`,
      'InvalidExpiration',
      'the credential source answered something AWS does not send; check its endpoint or command',
    )
  if (at <= now.getTime())
    throw new AwsCallError(
      `profile "${key.profile}": ${source} returned credentials that expired at ${expiration.toISOString()}`,
      'ExpiredCredentials',
      'check the clock, and the endpoint or command that made them',
    )
}

function labelOf(key: SessionKey): string {
  if (key.type === 'sts.AssumeRole') return 'role credentials'
  if (key.type === 'credential_process') return 'credential_process output'
  return `${key.type.slice(4)} session`
}

export function lockName(key: SessionKey): string {
  return `${key.type},${key.profile},${key.mfaSerial}`
}
