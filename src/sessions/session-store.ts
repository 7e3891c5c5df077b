import type { Logger } from '../runtime/types.js'
import { silentLogger } from '../runtime/types.js'
import { canReadAll } from '../stores/bulk-read.js'
import type { SecretStore } from '../stores/secret-store.js'
import {
  formatSessionKey,
  isOldSessionKey,
  type ParsedSessionKey,
  parseSessionKey,
  type SessionIdentity,
  sameIdentity,
  sessionKeyPrefix,
} from '../stores/session-key.js'
import { type IndexView, StoreIndex } from '../stores/store-index.js'
import type { AwsCredentials } from '../vault/credentials.js'
import { marshalSession, rfc3339, unmarshalSession } from './session-data.js'

/** Every key of one full listing, and the session items' data where the backend sent it. */
interface Listing {
  keys: string[]
  sessions: Map<string, string | undefined>
}

/**
 * How long a full listing vouches for the index: a lookup the index cannot answer lists the
 * store again (for sessions aws-vault wrote) only once this long has passed, so a burst of
 * misses (32 processes on a cold cache, or the fast path and then the full CLI) lists once.
 */
export const RESCAN_AFTER_MS = 60_000

/**
 * How often a write also prunes expired sessions of other profiles (and older aws-vault formats).
 * Each deletion is a keychain write, and deleting on every fetch multiplied the writes a keychain
 * has to survive (issue 15: gnome-keyring-daemon crashed under `export --duration 1` loops). A
 * write always replaces its own identity's older sessions; `vault clear` removes everything.
 */
export const PRUNE_EVERY_MS = 3_600_000

/** How many times a lookup reads the index again while the items it names keep vanishing. */
const VANISHED_REREADS = 8

export interface SessionStoreOptions {
  logger?: Logger
  /**
   * A file whose mtime records the last prune (~/.awsvault/session-prune.stamp). Without one, a
   * write prunes nothing but its own identity's older sessions.
   */
  pruneStamp?: string
}

/**
 * Cached STS sessions in aws-vault's format (see session-key.ts and session-data.ts), so vault and
 * aws-vault share them.
 *
 * Cost. Where listing is cheap (the file backend lists a directory), a lookup lists the keys once
 * per instance and reads the one item it returns. On the OS keychain, listing reads every secret,
 * so a lookup reads the store index (store-index.ts) and then the one item it names: two round
 * trips whatever the number of items. A lookup the index cannot answer reads the index again
 * (another process may have stored the session meanwhile), then falls back to a full listing
 * for items vault did not index (aws-vault's on macOS), at most once a minute across processes.
 *
 * Each instance is one fresh look at the store: a credential server makes one per fetch.
 */
export class SessionStore {
  private listing?: Promise<Listing>
  private scanned = false
  private readonly logger: Logger
  private readonly index?: StoreIndex

  constructor(
    private readonly store: SecretStore,
    private readonly options: SessionStoreOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger
    this.index = StoreIndex.of(store, this.logger)
    this.index?.freshen()
  }

  /** The newest session for `id` that is still valid at `now`, or null. */
  async get(id: SessionIdentity, now: Date): Promise<AwsCredentials | null> {
    if (!this.index) return this.getListed(id, now)
    const reused = this.index.loaded
    let view = await this.index.view()
    if (!view) return this.getListed(id, now)
    let found = await this.fromIndex(view, id, now)
    if (found.creds) return found.creds
    // An item the index named was gone: a writer replaced it, and its new index names the new
    // one. Read the index again, as long as items keep vanishing: each vanishing is a writer's
    // progress, so this ends (bounded anyway). Reading once more was not enough under load: a
    // slow reader can see two replacements (issue 15: index-real "readers never miss", 3 in 32).
    for (let attempt = 0; (reused && attempt === 0) || (found.vanished && attempt < VANISHED_REREADS); attempt++) {
      this.index.forget()
      view = await this.index.view()
      if (!view) return this.getListed(id, now)
      found = await this.fromIndex(view, id, now)
      if (found.creds) return found.creds
    }
    if (this.scanned || now.getTime() - view.scanned < RESCAN_AFTER_MS) return null
    return this.scan(id, now)
  }

  /**
   * Store a session under a key carrying its expiry, then remove what it replaces, and at most
   * once an hour (PRUNE_EVERY_MS) every expired session. The new item is written before the index names it, and the index stops
   * naming old items before they are removed, so a crash leaves at worst an extra item, and a
   * reader holding an older index finds the item gone and reads the index again.
   */
  async set(id: SessionIdentity, creds: AwsCredentials, now: Date): Promise<void> {
    const { expiration } = creds
    if (!expiration) throw new TypeError('a session needs an expiration')
    const key = formatSessionKey(id, expiration)
    const data = marshalSession({ ...creds, expiration })
    const known = this.index ? undefined : await this.load()
    const prune = await this.pruneDue(now)
    await this.store.set({
      key,
      data,
      label: `aws-vault session for ${id.profile} (expires ${rfc3339(expiration)})`,
      description: 'aws-vault session',
    })
    const replaced = (k: string) => {
      if (k === key) return false
      const parsed = parseSessionKey(k)
      return parsed ? sameIdentity(parsed, id) || (prune && parsed.expiration <= now) : prune && isOldSessionKey(k)
    }
    let stale: string[] = []
    if (known) {
      known.sessions.set(key, data)
      stale = [...known.sessions.keys()].filter(replaced)
    } else {
      this.listing = undefined
      const named = await this.index?.update((view) => {
        stale = [...view.sessions].filter(replaced)
        for (const k of stale) view.sessions.delete(k)
        view.sessions.add(key)
      }, now)
      // An index that still names the old items keeps them: readers would find them gone.
      if (!named) stale = []
    }
    for (const k of stale) {
      known?.sessions.delete(k)
      // Best effort, as in aws-vault: the new session is safely stored already.
      await this.store
        .remove(k)
        .catch((err: unknown) => this.logger.debug(`session store: could not prune ${k}: ${(err as Error).message}`))
    }
  }

  /**
   * True when the last prune is older than PRUNE_EVERY_MS; then the stamp is renewed first, so
   * processes writing at the same moment leave the prune to one of them (rarely two: harmless).
   */
  private async pruneDue(now: Date): Promise<boolean> {
    const stamp = this.options.pruneStamp
    if (!stamp) return false
    const { mkdir, stat, utimes, writeFile } = await import('node:fs/promises')
    const { dirname } = await import('node:path')
    const last = await stat(stamp).then(
      (s) => s.mtimeMs,
      () => 0,
    )
    if (Math.abs(now.getTime() - last) < PRUNE_EVERY_MS) return false
    try {
      await mkdir(dirname(stamp), { recursive: true, mode: 0o700 })
      await writeFile(stamp, '', { mode: 0o600 })
      await utimes(stamp, now, now)
    } catch (err) {
      // No stamp, no prune: a read-only ~/.awsvault must not turn every write into a prune.
      this.logger.debug(`session store: cannot record the prune in ${stamp}: ${(err as Error).message}`)
      return false
    }
    this.logger.debug('session store: pruning expired sessions (at most once an hour)')
    return true
  }

  /** Remove every session for `id`; resolves to how many were removed. */
  async remove(id: SessionIdentity): Promise<number> {
    const view = await this.index?.view()
    // The index names every session a lookup can return (a fallback listing adds what it finds).
    if (view) return this.removeKeys([...view.sessions].filter((k) => matches(k, (p) => sameIdentity(p, id))))
    return this.removeWhere((k) => sameIdentity(k, id))
  }

  async removeForProfile(profile: string): Promise<number> {
    return this.removeWhere((k) => k.profile === profile)
  }

  /** Remove every cached session, including ones in formats older aws-vault versions wrote. */
  async removeAll(): Promise<number> {
    const { sessions } = await this.load()
    const old = await this.removeKeys([...sessions.keys()].filter(isOldSessionKey))
    return old + (await this.removeWhere(() => true))
  }

  /** Every cached session (expired ones too), by profile, then expiry. */
  async list(): Promise<ParsedSessionKey[]> {
    const view = await this.index?.view()
    const keys = view ? [...view.sessions] : [...(await this.load({ adopt: true })).sessions.keys()]
    return keys
      .map(parseSessionKey)
      .filter((k): k is ParsedSessionKey => k !== undefined)
      .sort((a, b) => a.profile.localeCompare(b.profile) || a.expiration.getTime() - b.expiration.getTime())
  }

  /** The newest valid session the index names; `vanished` when a named item was gone. */
  private fromIndex(view: IndexView, id: SessionIdentity, now: Date) {
    const prefix = sessionKeyPrefix(id)
    return this.newest(
      new Map([...view.sessions].filter((k) => k.startsWith(prefix)).map((k) => [k, undefined])),
      id,
      now,
    )
  }

  /** From a full listing, read once per instance (and stored as the index when there is none). */
  private async getListed(id: SessionIdentity, now: Date): Promise<AwsCredentials | null> {
    const cached = this.listing !== undefined
    const found = (await this.newest((await this.load({ adopt: true, now })).sessions, id, now)).creds
    if (found || !cached) return found
    this.listing = undefined
    return (await this.newest((await this.load()).sessions, id, now)).creds
  }

  /** A lookup the index could not answer: list everything, and add to the index what it lacked. */
  private async scan(id: SessionIdentity, now: Date): Promise<AwsCredentials | null> {
    this.scanned = true
    this.listing = undefined
    this.logger.debug('session store: not in the store index; listing every item')
    const listing = await this.load()
    const { creds } = await this.newest(listing.sessions, id, now)
    await this.index?.merge(listing.keys, now)
    return creds
  }

  private async newest(items: Map<string, string | undefined>, id: SessionIdentity, now: Date) {
    const candidates = [...items.keys()]
      .map(parseSessionKey)
      .filter((k): k is ParsedSessionKey => k !== undefined && sameIdentity(k, id) && k.expiration > now)
      .sort((a, b) => b.expiration.getTime() - a.expiration.getTime())
    let vanished = false
    for (const candidate of candidates) {
      const data = items.get(candidate.key) ?? (await this.store.get(candidate.key))?.data
      if (data === undefined) {
        items.delete(candidate.key) // removed by another process since the listing or index was read
        vanished = true
        continue
      }
      items.set(candidate.key, data)
      const creds = unmarshalSession(data, candidate.expiration)
      if (creds?.expiration && creds.expiration > now) return { creds, vanished }
      if (!creds) this.logger.debug(`session store: ignoring unreadable session item for profile ${candidate.profile}`)
    }
    return { creds: null, vanished }
  }

  private async removeWhere(match: (k: ParsedSessionKey) => boolean): Promise<number> {
    const { sessions } = await this.load()
    return this.removeKeys([...sessions.keys()].filter((k) => matches(k, match)))
  }

  /** Items first, then the index: a rebuild in between lists what is left. */
  private async removeKeys(keys: string[]): Promise<number> {
    const listed = this.listing && (await this.listing)
    let removed = 0
    for (const k of keys) {
      if (await this.store.remove(k)) removed++
      listed?.sessions.delete(k)
    }
    if (keys.length) await this.index?.update((view) => keys.filter((k) => view.sessions.delete(k)).length > 0)
    return removed
  }

  /** One full listing per instance; with `adopt`, stored as the index when there is none. */
  private load(options: { adopt?: boolean; now?: Date } = {}): Promise<Listing> {
    this.listing ??= this.readListing(options).catch((err: unknown) => {
      this.listing = undefined
      throw err
    })
    return this.listing
  }

  private async readListing(options: { adopt?: boolean; now?: Date }): Promise<Listing> {
    const isSession = (k: string) => parseSessionKey(k) !== undefined || isOldSessionKey(k)
    let listing: Listing
    if (canReadAll(this.store)) {
      const entries = await this.store.entries()
      const sessions = new Map(entries.filter((e) => isSession(e.key)).map((e) => [e.key, e.data]))
      listing = { keys: entries.map((e) => e.key), sessions }
    } else {
      const keys = await this.store.keys()
      listing = { keys, sessions: new Map(keys.filter(isSession).map((k) => [k, undefined])) }
    }
    if (options.adopt) await this.index?.adopt(listing.keys, options.now)
    return listing
  }
}

function matches(key: string, match: (k: ParsedSessionKey) => boolean): boolean {
  const parsed = parseSessionKey(key)
  return parsed !== undefined && match(parsed)
}
