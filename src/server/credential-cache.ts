import { LRUCache } from 'lru-cache'
import type { AwsCredentials } from '../aws/credentials.js'
import type { Clock, Logger } from '../runtime/types.js'
import { formatRemaining } from '../vault/provider.js'

export type Fetch = () => Promise<AwsCredentials>

export interface CredentialCacheOptions {
  clock: Clock
  log: Logger
  /** Refetch when this many seconds are left (or half the lifetime, for shorter-lived credentials). */
  windowSeconds: number
  /** Most keys held: the profile plus the roles asked for through /role-arn/. */
  max?: number
}

interface Entry {
  creds: AwsCredentials
  /** Epoch ms from which the entry is refetched; Infinity for credentials that never expire. */
  refreshAt: number
}

/**
 * The servers' in-memory cache, keyed by `profile` or `role:ARN`. Credentials are served until the
 * expiry window and refetched from then on, so a client never gets credentials about to expire.
 * Credentials that live less than twice the window (a 15-minute role) are refetched at half their
 * lifetime, rather than on every request. However many requests arrive during a refetch, they
 * share one fetch (lru-cache's in-flight fetch); a failed fetch is dropped, so the next request
 * tries again.
 */
export class CredentialCache {
  private readonly lru: LRUCache<string, Entry, Fetch>

  constructor(private readonly options: CredentialCacheOptions) {
    this.lru = new LRUCache<string, Entry, Fetch>({
      max: options.max ?? 64,
      fetchMethod: async (_key, _stale, { context }) => this.entry(await context()),
    })
  }

  async get(key: string, fetch: Fetch): Promise<AwsCredentials> {
    const cached = this.lru.get(key) // get, not peek: a hit counts as a use for the LRU order
    const now = this.options.clock.now().getTime()
    if (cached && now < cached.refreshAt) return cached.creds
    if (cached)
      this.options.log.debug(
        `server: ${key} credentials expire in ${formatRemaining(cached.creds.expiration!.getTime() - now)}: refreshing`,
      )
    // forceRefresh: lru-cache's own TTL is unused; freshness is judged above, on the injected clock.
    const entry = await this.lru.fetch(key, { context: fetch, forceRefresh: true })
    if (!entry) throw new Error(`no credentials for ${key}`)
    return entry.creds
  }

  private entry(creds: AwsCredentials): Entry {
    if (!creds.expiration) return { creds, refreshAt: Number.POSITIVE_INFINITY }
    const expiry = creds.expiration.getTime()
    const lifetime = expiry - this.options.clock.now().getTime()
    return { creds, refreshAt: expiry - Math.min(this.options.windowSeconds * 1000, lifetime / 2) }
  }
}
