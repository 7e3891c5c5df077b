import type { Logger } from '../runtime/types.js'
import { silentLogger } from '../runtime/types.js'
import type { AwsCredentials } from '../vault/credentials.js'
import { canReadAll } from './bulk-read.js'
import type { SecretStore } from './secret-store.js'
import { marshalSession, rfc3339, unmarshalSession } from './session-data.js'
import {
  formatSessionKey,
  isOldSessionKey,
  type ParsedSessionKey,
  parseSessionKey,
  type SessionIdentity,
  sameIdentity,
} from './session-key.js'

/** Session item keys → their data when already read (undefined when only the key is known). */
type Listing = Map<string, string | undefined>

/**
 * Cached STS sessions in aws-vault's format (see session-key.ts and session-data.ts), so vault and
 * aws-vault share them.
 *
 * Cost: the backend is listed once per instance (one command), with the data too where the
 * backend can (the OS keychain), and the listing is kept up to date on this instance's writes.
 * A lookup that misses re-lists once, since another process may have written the session while
 * this one waited for a lock; a miss leads to an STS call anyway, which costs far more.
 */
export class SessionStore {
  private listing?: Promise<Listing>
  private readonly logger: Logger

  constructor(
    private readonly store: SecretStore,
    options: { logger?: Logger } = {},
  ) {
    this.logger = options.logger ?? silentLogger
  }

  /** The newest session for `id` that is still valid at `now`, or null. */
  async get(id: SessionIdentity, now: Date): Promise<AwsCredentials | null> {
    const cached = this.listing !== undefined
    const found = await this.find(id, now)
    if (found || !cached) return found
    this.listing = undefined
    return this.find(id, now)
  }

  /**
   * Store a session under a key carrying its expiry, then remove what it replaces and every
   * expired session. The new item is written before any old one is removed, so a crash leaves
   * at worst an extra item, never none.
   */
  async set(id: SessionIdentity, creds: AwsCredentials, now: Date): Promise<void> {
    const { expiration } = creds
    if (!expiration) throw new TypeError('a session needs an expiration')
    const items = await this.load()
    const key = formatSessionKey(id, expiration)
    const data = marshalSession({ ...creds, expiration })
    await this.store.set({
      key,
      data,
      label: `aws-vault session for ${id.profile} (expires ${rfc3339(expiration)})`,
      description: 'aws-vault session',
    })
    items.set(key, data)
    const stale = [...items.keys()].filter((k) => {
      if (k === key) return false
      const parsed = parseSessionKey(k)
      return parsed ? sameIdentity(parsed, id) || parsed.expiration <= now : isOldSessionKey(k)
    })
    for (const k of stale) {
      // Best effort, as in aws-vault: the new session is safely stored already.
      await this.removeKey(items, k).catch((err: unknown) =>
        this.logger.debug(`session store: could not prune ${k}: ${(err as Error).message}`),
      )
    }
  }

  /** Remove every session for `id`; resolves to how many were removed. */
  async remove(id: SessionIdentity): Promise<number> {
    return this.removeWhere((k) => sameIdentity(k, id))
  }

  async removeForProfile(profile: string): Promise<number> {
    return this.removeWhere((k) => k.profile === profile)
  }

  /** Remove every cached session, including ones in formats older aws-vault versions wrote. */
  async removeAll(): Promise<number> {
    const items = await this.load()
    const old = [...items.keys()].filter(isOldSessionKey)
    for (const k of old) await this.removeKey(items, k)
    return old.length + (await this.removeWhere(() => true))
  }

  /** Every cached session (expired ones too), by profile, then expiry. */
  async list(): Promise<ParsedSessionKey[]> {
    return this.parsedKeys(await this.load()).sort(
      (a, b) => a.profile.localeCompare(b.profile) || a.expiration.getTime() - b.expiration.getTime(),
    )
  }

  private async find(id: SessionIdentity, now: Date): Promise<AwsCredentials | null> {
    const items = await this.load()
    const candidates = this.parsedKeys(items)
      .filter((k) => sameIdentity(k, id) && k.expiration > now)
      .sort((a, b) => b.expiration.getTime() - a.expiration.getTime())
    for (const candidate of candidates) {
      const data = items.get(candidate.key) ?? (await this.store.get(candidate.key))?.data
      if (data === undefined) {
        items.delete(candidate.key) // removed by another process since the listing
        continue
      }
      items.set(candidate.key, data)
      const creds = unmarshalSession(data, candidate.expiration)
      if (creds?.expiration && creds.expiration > now) return creds
      if (!creds) this.logger.debug(`session store: ignoring unreadable session item for profile ${candidate.profile}`)
    }
    return null
  }

  private async removeWhere(match: (k: ParsedSessionKey) => boolean): Promise<number> {
    const items = await this.load()
    let removed = 0
    for (const k of this.parsedKeys(items).filter(match)) if (await this.removeKey(items, k.key)) removed++
    return removed
  }

  private async removeKey(items: Listing, key: string): Promise<boolean> {
    const removed = await this.store.remove(key)
    items.delete(key)
    return removed
  }

  private parsedKeys(items: Listing): ParsedSessionKey[] {
    return [...items.keys()].map(parseSessionKey).filter((k): k is ParsedSessionKey => k !== undefined)
  }

  private load(): Promise<Listing> {
    this.listing ??= this.readListing().catch((err: unknown) => {
      this.listing = undefined
      throw err
    })
    return this.listing
  }

  /** One backend round trip. Long-term keys are dropped at once: this store never needs them. */
  private async readListing(): Promise<Listing> {
    const isSession = (k: string) => parseSessionKey(k) !== undefined || isOldSessionKey(k)
    if (canReadAll(this.store)) {
      const entries = await this.store.entries()
      return new Map(entries.filter((e) => isSession(e.key)).map((e) => [e.key, e.data]))
    }
    const keys = await this.store.keys()
    return new Map(keys.filter(isSession).map((k) => [k, undefined]))
  }
}
