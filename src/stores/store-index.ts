import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { writeFileAtomic } from '../fs/atomic-write.js'
import { fileSystemError } from '../fs/fs-errors.js'
import { fileCaps, readBoundedText } from '../fs/read-file.js'
import type { Logger } from '../runtime/types.js'
import { silentLogger } from '../runtime/types.js'
import { goMarshal, parseJson } from './go-json.js'
import type { IndexLock, SecretStore } from './secret-store.js'
import { isNonCredentialKey, isOldSessionKey, parseSessionKey } from './session-key.js'

/**
 * The index item's key. aws-vault skips `oidc:` keys when it lists profiles or sessions
 * (CredentialKeyring.Keys, SessionKeyring.Keys filter IsOIDCTokenKey / IsSessionKey), and so does
 * vault (isNonCredentialKey); `aws-vault clear` deletes it along with every session, which leaves
 * no index, and the next vault write rebuilds one. No SSO start URL reads `vault-index`.
 */
export const INDEX_KEY = 'oidc:vault-index'

/** What the index names: item keys only, never secrets. */
export interface IndexView {
  /** When a full listing last went into the index (unix ms); 0 when unknown. */
  scanned: number
  /** Profiles with stored long-term keys. */
  profiles: Set<string>
  /** Session item keys, current and older aws-vault formats; the expiry is part of the key. */
  sessions: Set<string>
}

/** An index change: mutate the view; return (or resolve to) false to leave the stored index as it is. */
export type IndexChange = (view: IndexView) => unknown

const indexes = new WeakMap<SecretStore, StoreIndex>()

/**
 * The item keys of a store whose full listing is slow (the OS keychain reads every secret to list
 * one, ~1.4 s for 2,000 items on gnome-keyring), kept in one item so a lookup costs one read of it
 * plus one targeted read, whatever the number of items.
 *
 * Writers change their item first and the index after, under the store's index lock, on a fresh
 * read; readers never lock. A missing or unreadable index is rebuilt from a full listing, taken
 * under the lock by a writer (its own item already stored), or adopted by a reader that had to
 * list anyway when no one holds the lock. The index names what vault wrote: items another tool
 * (aws-vault on macOS) or an interrupted vault wrote are found by the typed stores' fallbacks.
 *
 * One instance per store and process, so the credential and session stores of one command share
 * one read; `freshen()` starts a fresh look.
 */
export class StoreIndex {
  private snapshot?: Promise<IndexView | undefined>
  private settled = false

  /** The store's shared index, or undefined when its listing is cheap enough to use directly. */
  static of(store: SecretStore, logger?: Logger): StoreIndex | undefined {
    if (!store.indexLock) return undefined
    let index = indexes.get(store)
    if (!index) {
      index = new StoreIndex(store, store.indexLock)
      indexes.set(store, index)
    }
    if (logger) index.logger = logger
    return index
  }

  private logger: Logger = silentLogger

  private constructor(
    private readonly store: SecretStore,
    private readonly lock: IndexLock,
  ) {}

  /** True when a read is already at hand (it may be older than other processes' writes). */
  get loaded(): boolean {
    return this.snapshot !== undefined
  }

  /** The index as this process last read it, read on first use; undefined when missing or unreadable. */
  view(): Promise<IndexView | undefined> {
    if (!this.snapshot) {
      const read = this.read().then(
        (view) => {
          if (this.snapshot === read) this.settled = true
          return view
        },
        (err: unknown) => {
          if (this.snapshot === read) this.snapshot = undefined
          throw err
        },
      )
      this.snapshot = read
      this.settled = false
    }
    return this.snapshot
  }

  /** Read the index again on next use. */
  forget(): void {
    this.snapshot = undefined
  }

  /** Start a fresh look: drop a read that has finished; one under way is as fresh as a new one. */
  freshen(): void {
    if (this.settled) this.forget()
  }

  /**
   * Apply `change` under the lock to a fresh read, built from a full listing when there is no
   * index, and store the result. Best effort: the items are what counts, so a failure is logged
   * and resolves false (the index then lacks the change; readers' fallbacks cover that). With
   * `strict`, a failure rejects instead (a LockError, or a StoreError naming the path).
   */
  async update(change: IndexChange, now?: Date, options: { strict?: boolean } = {}): Promise<boolean> {
    try {
      const view = await this.lock.hold(async () => {
        const stored = await this.read()
        if (!stored) this.logger.debug('store index: missing or unreadable; rebuilding it from a full listing')
        const current = stored ?? fromKeys(await this.store.keys(), now)
        const changed = (await change(current)) !== false
        if (changed || !stored) await this.write(current)
        return current
      })
      this.remember(view)
      return true
    } catch (err) {
      this.forget()
      if (options.strict) throw err
      this.logger.debug(`store index: not updated: ${(err as Error).message}`)
      return false
    }
  }

  /**
   * A reader that had to list every key anyway stores them as the index, when there still is
   * none and no writer holds the lock (a writer's item may postdate `keys`; it updates after us).
   */
  async adopt(keys: string[], now?: Date): Promise<void> {
    try {
      await this.lock.tryHold(async () => {
        if (await this.read()) return
        const view = fromKeys(keys, now)
        await this.write(view)
        this.remember(view)
        this.logger.debug(`store index: rebuilt from a full listing (${keys.length} items)`)
      })
    } catch (err) {
      this.logger.debug(`store index: not rebuilt: ${(err as Error).message}`)
    }
  }

  /**
   * A reader's change, such as naming items it found that the index lacks (aws-vault's, or a
   * write cut short before its index update). Skipped when a writer holds the lock or there is
   * no index to amend: readers never wait, and never list just to rebuild.
   */
  async amend(change: IndexChange): Promise<void> {
    try {
      await this.lock.tryHold(async () => {
        const view = await this.read()
        if (!view || (await change(view)) === false) return
        await this.write(view)
        this.remember(view)
      })
    } catch (err) {
      this.logger.debug(`store index: not amended: ${(err as Error).message}`)
    }
  }

  /**
   * After a full listing: name what it found, and note its time. Profiles are checked again
   * under the lock, so one removed meanwhile is not named again; a session named in vain costs a
   * reader one read, and goes at the next prune.
   */
  merge(keys: string[], now: Date): Promise<void> {
    const found = fromKeys(keys)
    return this.amend(async (view) => {
      for (const key of found.sessions) view.sessions.add(key)
      for (const profile of found.profiles) {
        if (!view.profiles.has(profile) && (await this.exists(profile))) view.profiles.add(profile)
      }
      view.scanned = now.getTime()
    })
  }

  /** One targeted look at an item. */
  exists(key: string): Promise<boolean> {
    return this.store.has ? this.store.has(key) : this.store.get(key).then((item) => item !== null)
  }

  private remember(view: IndexView): void {
    this.snapshot = Promise.resolve(view)
    this.settled = true
  }

  private async read(): Promise<IndexView | undefined> {
    const data = this.store.indexFile
      ? await readIndexFile(this.store.indexFile, this.logger)
      : (await this.store.get(INDEX_KEY))?.data
    const view = data === undefined ? undefined : parseIndex(data)
    if (data !== undefined && !view) this.logger.debug('store index: unreadable; it will be rebuilt')
    return view
  }

  private async write(view: IndexView): Promise<void> {
    const data = goMarshal({ v: 1, scanned: view.scanned, profiles: [...view.profiles], sessions: [...view.sessions] })
    const file = this.store.indexFile
    if (file) {
      try {
        await mkdir(dirname(file), { recursive: true, mode: 0o700 })
        return await writeFileAtomic(file, data)
      } catch (err) {
        throw fileSystemError(err, file, 'cannot write the store index')
      }
    }
    return this.store.set({
      key: INDEX_KEY,
      data,
      label: 'vault index of aws-vault items (no secrets)',
      description: 'vault index',
    })
  }
}

/**
 * The index file's text, or undefined when there is none or it cannot be read (a directory in its
 * place, no permission): readers then list the store, as with no index, and a writer's update
 * says what is wrong with the path (issue 15: "unexpected error: EISDIR" on every export).
 */
async function readIndexFile(path: string, logger: Logger): Promise<string | undefined> {
  try {
    return await readBoundedText(path, { maxBytes: fileCaps.index, noFollow: true })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') logger.debug(`store index: cannot read ${path} (${code}); listing the store instead`)
    return undefined
  }
}

/** The index of a full listing. */
export function fromKeys(keys: string[], now?: Date): IndexView {
  const view: IndexView = { scanned: now?.getTime() ?? 0, profiles: new Set(), sessions: new Set() }
  for (const key of keys) {
    if (parseSessionKey(key) || isOldSessionKey(key)) view.sessions.add(key)
    else if (!isNonCredentialKey(key)) view.profiles.add(key)
  }
  return view
}

function parseIndex(data: string): IndexView | undefined {
  const obj = parseJson(data) as { v?: unknown; scanned?: unknown; profiles?: unknown; sessions?: unknown } | undefined
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')
  if (typeof obj !== 'object' || obj === null || obj.v !== 1) return undefined
  if (typeof obj.scanned !== 'number' || !strings(obj.profiles) || !strings(obj.sessions)) return undefined
  return { scanned: obj.scanned, profiles: new Set(obj.profiles), sessions: new Set(obj.sessions) }
}
