/**
 * The names of the freedesktop.org Secret Service API (0.2) and of the bus daemon that vault's
 * D-Bus speakers use (their shared calls: secret-service-calls.ts): the direct calls on vault's
 * items (src/stores/secret-service-direct.ts), the probe for a service (src/stores/default-backend.ts),
 * the reader of aws-vault's collection (src/aws-vault/secret-service.ts) and the build-time stand-in
 * that answers like the service.
 * One list, so a speaker and the stand-in that imitates it cannot drift apart.
 */

/** The well-known bus name the Secret Service owns. */
export const SECRETS_BUS_NAME = 'org.freedesktop.secrets'
/** The service object; collections live under `${SECRETS_ROOT}/collection/`. */
export const SECRETS_ROOT = '/org/freedesktop/secrets'

/** The Secret Service's interfaces. */
export const SecretInterface = {
  service: 'org.freedesktop.Secret.Service',
  collection: 'org.freedesktop.Secret.Collection',
  item: 'org.freedesktop.Secret.Item',
  prompt: 'org.freedesktop.Secret.Prompt',
} as const

/** The bus daemon itself, and the standard interfaces and errors vault relies on. */
export const DBus = {
  name: 'org.freedesktop.DBus',
  path: '/org/freedesktop/DBus',
  interface: 'org.freedesktop.DBus',
  properties: 'org.freedesktop.DBus.Properties',
} as const

export const DBusErrorName = {
  serviceUnknown: 'org.freedesktop.DBus.Error.ServiceUnknown',
  nameHasNoOwner: 'org.freedesktop.DBus.Error.NameHasNoOwner',
  unknownMethod: 'org.freedesktop.DBus.Error.UnknownMethod',
  isLocked: 'org.freedesktop.Secret.Error.IsLocked',
} as const

/** A collection's object path, as the service names it (gnome-keyring escapes the label with `_XX`). */
export function collectionPath(name: string): string {
  return `${SECRETS_ROOT}/collection/${name}`
}

/**
 * The attributes keyring-rs (under @napi-rs/keyring) gives vault's own items: the service
 * (`VAULT_KEYRING_SERVICE` unless configured otherwise) and the item's key as the user name.
 */
export const KeyringRsAttribute = { service: 'service', user: 'username' } as const
/** The keyring-rs service of vault's items: aws-vault's name, so both find the same items. */
export const VAULT_KEYRING_SERVICE = 'aws-vault'

/** The one attribute 99designs/keyring (aws-vault) gives an item: its key, as "profile". */
export const AWS_VAULT_KEY_ATTRIBUTE = 'profile'
