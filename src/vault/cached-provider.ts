import type { Clock, Logger } from '../runtime/types.js'
import {
  type CredentialProvider,
  formatRemaining,
  type LockFn,
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
}

/**
 * Caching decorator, like aws-vault's CachedSessionProvider: serves the cached item while it is
 * outside the expiry window, otherwise fetches through `inner` and stores the result. The
 * check-fetch-store sequence runs under a per-key lock and re-checks the cache once the lock is
 * held, so parallel processes fetch (and prompt for MFA) once.
 */
export function cachedProvider(inner: CredentialProvider, options: CacheOptions): CredentialProvider {
  const { cache, key, clock, log, windowSeconds, lock } = options
  const label = key.type === 'sts.AssumeRole' ? 'role credentials' : `${key.type.slice(4)} session`
  const lookup = async () => {
    const now = clock.now()
    const creds = await cache.get(key, now)
    if (!creds?.expiration) return null
    const left = creds.expiration.getTime() - now.getTime()
    if (left > windowSeconds * 1000) {
      log.debug(
        `profile ${key.profile}: using cached ${label} (expire${key.type === 'sts.AssumeRole' ? '' : 's'} in ${formatRemaining(left)})`,
      )
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
      return lock(lockName(key), async () => {
        // Another process may have fetched while we waited for the lock.
        const fresh = await lookup()
        if (fresh) return fresh
        const creds = await inner.retrieve()
        await cache.set(key, creds, clock.now())
        log.debug(`profile ${key.profile}: cached ${label} until ${creds.expiration?.toISOString() ?? 'never'}`)
        return creds
      })
    },
    async invalidate() {
      log.debug(`profile ${key.profile}: removing cached ${label}`)
      await cache.remove(key)
    },
  }
}

export function lockName(key: SessionKey): string {
  return `${key.type},${key.profile},${key.mfaSerial}`
}
