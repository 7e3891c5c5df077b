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
}
