import type { SecretItem, SecretStore } from './secret-store.js'

/**
 * A store that can hand over every item with its data in one round trip. The OS keychain can
 * (@napi-rs/keyring's findCredentials returns passwords), so typed stores use it to avoid one
 * keychain call per item. The file store deliberately does not: it would decrypt every file.
 */
export interface BulkReadable {
  entries(): Promise<SecretItem[]>
}

export function canReadAll(store: SecretStore): store is SecretStore & BulkReadable {
  return typeof (store as Partial<BulkReadable>).entries === 'function'
}
