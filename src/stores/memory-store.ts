import type { BulkReadable } from './bulk-read.js'
import type { IndexLock, SecretItem, SecretStore } from './secret-store.js'

/**
 * An in-memory SecretStore for tests. It copies items in and out so a test cannot mutate what is
 * stored by accident, and it counts backend calls so tests can pin down round trips. Given an
 * `indexLock`, it stands for the OS keychain: the typed stores then keep their index item in it.
 */
export class MemoryStore implements SecretStore, BulkReadable {
  readonly name = 'memory'
  readonly calls = { get: 0, has: 0, set: 0, remove: 0, keys: 0, entries: 0 }
  readonly indexLock?: IndexLock
  readonly indexFile?: string
  readonly indexComplete?: boolean
  private readonly items = new Map<string, SecretItem>()

  constructor(
    initial: Iterable<SecretItem> = [],
    options: { indexLock?: IndexLock; indexFile?: string; indexComplete?: boolean } = {},
  ) {
    for (const item of initial) this.items.set(item.key, { ...item })
    this.indexLock = options.indexLock
    this.indexFile = options.indexFile
    this.indexComplete = options.indexComplete
  }

  async get(key: string): Promise<SecretItem | null> {
    this.calls.get++
    const item = this.items.get(key)
    return item ? { ...item } : null
  }

  async has(key: string): Promise<boolean> {
    this.calls.has++
    return this.items.has(key)
  }

  async set(item: SecretItem): Promise<void> {
    this.calls.set++
    this.items.set(item.key, { ...item })
  }

  async remove(key: string): Promise<boolean> {
    this.calls.remove++
    return this.items.delete(key)
  }

  async keys(): Promise<string[]> {
    this.calls.keys++
    return [...this.items.keys()]
  }

  async entries(): Promise<SecretItem[]> {
    this.calls.entries++
    return [...this.items.values()].map((item) => ({ ...item }))
  }
}
