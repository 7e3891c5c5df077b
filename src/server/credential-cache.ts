import { LRUCache } from 'lru-cache'
import type { Clock, Logger } from '../runtime/types.js'
import type { AwsCredentials } from '../vault/credentials.js'
import { formatRemaining } from '../vault/provider.js'

export type Fetch = () => Promise<AwsCredentials>

export interface CredentialCacheOptions {
  clock: Clock
  log: Logger
  /**
   * Refetch when this many seconds or fewer are left. The servers use the chain's own window
   * (AWS_MIN_TTL): a larger one would ask the chain early and get the same cached credentials back.
   */
  windowSeconds: number
  /** Most keys held: the profile plus the roles asked for through /role-arn/. */
  max?: number
}

/**
 * The servers' in-memory cache, keyed by `profile` or `role:ARN`. Credentials are served while
 * they are outside the expiry window and refetched once they reach it, so a client never gets
 * credentials about to expire. However many requests arrive during a refetch, they share one
 * fetch (lru-cache's in-flight fetch); a failed fetch is dropped, so the next request tries again.
 */
export class CredentialCache {
  private readonly lru: LRUCache<string, AwsCredentials, Fetch>

  constructor(private readonly options: CredentialCacheOptions) {
    this.lru = new LRUCache<string, AwsCredentials, Fetch>({
      max: options.max ?? 64,
      fetchMethod: (_key, _stale, { context }) => context(),
    })
  }

  async get(key: string, fetch: Fetch): Promise<AwsCredentials> {
    const cached = this.lru.get(key) // get, not peek: a hit counts as a use for the LRU order
    if (cached && this.isFresh(cached)) return cached
    if (cached)
      this.options.log.debug(
        `server: ${key} credentials are inside the ${formatRemaining(this.options.windowSeconds * 1000)} window: refreshing`,
      )
    // forceRefresh: lru-cache's own TTL is unused, freshness is judged above on the injected clock.
    const creds = await this.lru.fetch(key, { context: fetch, forceRefresh: true })
    if (!creds) throw new Error(`no credentials for ${key}`)
    return creds
  }

  private isFresh(creds: AwsCredentials): boolean {
    if (!creds.expiration) return true
    return creds.expiration.getTime() - this.options.clock.now().getTime() > this.options.windowSeconds * 1000
  }
}
