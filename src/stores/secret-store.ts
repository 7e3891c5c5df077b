/**
 * One item in a secret store, shaped like aws-vault's keyring.Item so the two tools can share stores.
 * `data` holds the item's bytes as a UTF-8 string (vault and aws-vault only ever store JSON).
 */
export interface SecretItem {
  key: string
  data: string
  label?: string
  description?: string
}

/** A backend that keeps secret items: OS keychain, encrypted file, or memory (tests). */
export interface SecretStore {
  /** Backend name as accepted by --backend: keychain, wincred, secret-service, file, memory. */
  readonly name: string
  get(key: string): Promise<SecretItem | null>
  /** Writes atomically: a reader sees the old item or the new one, never a partial one. */
  set(item: SecretItem): Promise<void>
  /** Resolves false when there was nothing to remove. */
  remove(key: string): Promise<boolean>
  /** Every item key, in one round trip to the backend. */
  keys(): Promise<string[]>
  /**
   * Whether an item exists, in one round trip whatever the number of items, and without asking
   * for a passphrase. The keychain has no cheaper call than reading the item.
   */
  has?(key: string): Promise<boolean>
  /**
   * Set on stores whose listing costs a round trip per item (the OS keychain reads every secret to
   * list): the typed stores then keep an index item (store-index.ts), updated under this lock.
   */
  readonly indexLock?: IndexLock
  /**
   * Where the index lives, when not in an item of the store itself: a 0600 file. The index holds
   * item keys only (profile names, MFA serial ARNs, expiry times; the names aws-vault's own file
   * backend shows as file names), never a secret. A file costs a cache hit nothing, where an item
   * costs a keychain round trip (~8 ms on gnome-keyring, mostly its session key exchange).
   */
  readonly indexFile?: string
  /** True when nothing but vault writes this store's items, so the index names every one of them. */
  readonly indexComplete?: boolean
}

/** A short cross-process lock around read-modify-write of the index item. */
export interface IndexLock {
  /** Runs `fn` holding the lock, waiting for it for a while; rejects if it cannot be had. */
  hold<T>(fn: () => Promise<T>): Promise<T>
  /** Runs `fn` if the lock is free now; resolves undefined, without running it, if it is not. */
  tryHold<T>(fn: () => Promise<T>): Promise<T | undefined>
}
