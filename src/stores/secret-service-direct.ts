import { sessionBusPath } from '../dbus/address.js'
import { DBusConnection, DBusError } from '../dbus/connection.js'
import type { DBusValue } from '../dbus/marshal.js'
import { SecretServiceCalls } from '../dbus/secret-service-calls.js'
import { KeyringRsAttribute, SECRETS_ROOT, SecretInterface } from '../dbus/secret-service-names.js'
import type { Env } from '../runtime/types.js'

/**
 * What a direct call did, or 'native' when the case is one the native module handles: no bus Node
 * can reach, no Secret Service, a locked item or collection (its unlock prompt), two matching
 * items, an answer that asks for a prompt, a service without plain sessions, any error reply.
 */
export type Direct<T> = T | 'native'

/** What a direct read found: the item's secret, or no item (null). */
export type DirectRead = Direct<string | null>

/** A store's operations without the native module: each answers, or says 'native'. */
export interface DirectCalls {
  read(service: string, key: string, timeoutMs: number): Promise<DirectRead>
  write(service: string, key: string, data: string, timeoutMs: number): Promise<Direct<'written'>>
  remove(service: string, key: string, timeoutMs: number): Promise<Direct<boolean>>
  list(service: string, timeoutMs: number): Promise<Direct<Array<{ key: string; data: string }>>>
}

/** The calls below on the session bus that `env` names (KeychainStore's `direct` on Linux). */
export function secretServiceCalls(env: Env): DirectCalls {
  return {
    read: (service, key, ms) => readSecretServiceItem(env, service, key, ms),
    write: (service, key, data, ms) => writeSecretServiceItem(env, service, key, data, ms),
    remove: (service, key, ms) => removeSecretServiceItem(env, service, key, ms),
    list: (service, ms) => listSecretServiceItems(env, service, ms),
  }
}

/**
 * vault's own items over the freedesktop.org Secret Service API (0.2), spoken in Node on vault's
 * own D-Bus client: one targeted read, a write, a removal, a listing.
 *
 * @napi-rs/keyring runs in a helper process (native-host.ts), a second Node.js start for every vault
 * run that touches the keychain (~0.03 CPU-s of a cache miss on the 2-core test machine); in it,
 * keyring-rs connects to the bus and opens an encrypted session for each call. Here each is a few
 * round trips on a Unix socket, each under `timeoutMs`, and the helper is started only for the
 * cases above.
 *
 * The items are keyring-rs's, made the way it makes them (seen on the bus with dbus-monitor, and
 * compared item by item in test/stores/secret-service-direct.test.ts): attributes `service` and
 * `username`, label `keyring:KEY@SERVICE`, the default collection, the secret as UTF-8 bytes of
 * type application/octet-stream, CreateItem with replace. The native module reads and changes
 * what is written here, and this what it writes.
 *
 * The plain session sends the secret over the user's own bus socket, as `secret-tool` does when it
 * is offered no encryption (SecretServiceCalls.openPlainSession); nothing is written anywhere else.
 *
 * Each rejects with a DBusError: 'timeout' when the bus or the service stops answering, 'protocol'
 * when it sends a message vault cannot read (the native module is not handed a bus like that).
 */
export function readSecretServiceItem(env: Env, service: string, key: string, timeoutMs: number): Promise<DirectRead> {
  return onService(env, timeoutMs, async (ss) => {
    // Both at once: one round trip.
    const [session, [unlocked, locked]] = await Promise.all([
      ss.openPlainSession(),
      search(ss, itemAttributes(service, key)),
    ])
    if (locked.length > 0 || unlocked.length > 1) return 'native'
    if (unlocked.length === 0) return null
    return secretText((await secrets(ss, unlocked, session)).get(unlocked[0]))
  })
}

/** Writes the item: its one unlocked item's secret replaced, or a new item in the default collection. */
export function writeSecretServiceItem(
  env: Env,
  service: string,
  key: string,
  data: string,
  timeoutMs: number,
): Promise<Direct<'written'>> {
  return onService(env, timeoutMs, async (ss) => {
    const attributes = itemAttributes(service, key)
    const [session, [unlocked, locked], [collection]] = await Promise.all([
      ss.openPlainSession(),
      search(ss, attributes),
      ss.call(SECRETS_ROOT, SecretInterface.service, 'ReadAlias', 's', ['default']),
    ])
    if (locked.length > 0 || unlocked.length > 1) return 'native'
    const secret = [session, Buffer.alloc(0), Buffer.from(data, 'utf8'), 'application/octet-stream']
    if (unlocked.length === 1) {
      await ss.call(unlocked[0], SecretInterface.item, 'SetSecret', '(oayays)', [secret])
      return 'written'
    }
    if (collection === '/' || (await ss.property(String(collection), SecretInterface.collection, 'Locked')) !== false)
      return 'native'
    const properties = [
      [`${SecretInterface.item}.Attributes`, { signature: 'a{ss}', value: attributes }],
      [`${SecretInterface.item}.Label`, { signature: 's', value: `keyring:${key}@${service}` }],
    ]
    const [, prompt] = await ss.call(String(collection), SecretInterface.collection, 'CreateItem', 'a{sv}(oayays)b', [
      properties,
      secret,
      true,
    ])
    // An unlocked collection never asks; if one did, the item is not made until the prompt is
    // answered, and the native module makes it, prompt and all.
    return prompt === '/' ? 'written' : 'native'
  })
}

/** Deletes the item: true when there was one, false when there was none. */
export function removeSecretServiceItem(
  env: Env,
  service: string,
  key: string,
  timeoutMs: number,
): Promise<Direct<boolean>> {
  return onService(env, timeoutMs, async (ss) => {
    const [unlocked, locked] = await search(ss, itemAttributes(service, key))
    if (locked.length > 0 || unlocked.length > 1) return 'native'
    if (unlocked.length === 0) return false
    const [prompt] = await ss.call(unlocked[0], SecretInterface.item, 'Delete')
    return prompt === '/' ? true : 'native'
  })
}

/** Every item of `service`, with its key (the `username` attribute) and secret. */
export function listSecretServiceItems(
  env: Env,
  service: string,
  timeoutMs: number,
): Promise<Direct<Array<{ key: string; data: string }>>> {
  return onService(env, timeoutMs, async (ss) => {
    const [session, [unlocked, locked]] = await Promise.all([
      ss.openPlainSession(),
      search(ss, [[KeyringRsAttribute.service, service]]),
    ])
    if (locked.length > 0) return 'native'
    if (unlocked.length === 0) return []
    const [byItem, ...attributes] = await Promise.all([
      secrets(ss, unlocked, session),
      ...unlocked.map((item) => ss.property(item, SecretInterface.item, 'Attributes')),
    ])
    const found: Array<{ key: string; data: string }> = []
    for (const [i, item] of unlocked.entries()) {
      const pairs = attributes[i] as Array<[string, string]>
      const key = pairs.find(([name]) => name === KeyringRsAttribute.user)?.[1]
      const data = secretText(byItem.get(item))
      if (key === undefined || data === 'native') return 'native'
      found.push({ key, data })
    }
    return found
  })
}

/** keyring-rs's attributes of one item (`xdg:schema` is the service's own addition). */
function itemAttributes(service: string, key: string): Array<[string, string]> {
  return [
    [KeyringRsAttribute.user, key],
    [KeyringRsAttribute.service, service],
  ]
}

/** (session, parameters, value, content type): keyring-rs stores the password as UTF-8 bytes. */
function secretText(secret: DBusValue[] | undefined): Direct<string> {
  if (!secret || !Buffer.isBuffer(secret[2])) return 'native'
  return secret[2].toString('utf8')
}

/** The items whose attributes include `attributes`, in every collection: (unlocked, locked). */
async function search(ss: SecretServiceCalls, attributes: Array<[string, string]>): Promise<[string[], string[]]> {
  return (await ss.call(SECRETS_ROOT, SecretInterface.service, 'SearchItems', 'a{ss}', [attributes])) as [
    string[],
    string[],
  ]
}

/** The secrets of `items` in `session` (GetSecrets), by item path. */
async function secrets(ss: SecretServiceCalls, items: string[], session: string): Promise<Map<string, DBusValue[]>> {
  const [found] = await ss.call(SECRETS_ROOT, SecretInterface.service, 'GetSecrets', 'aoo', [items, session])
  return new Map(found as Array<[string, DBusValue[]]>)
}

/**
 * Runs `work` on a new connection to the session bus in `env`, closed after. 'native' when there is
 * no bus to reach, or the service answers with an error; rejects only when a bus stops answering or
 * speaks no D-Bus (isFinal), which the native module would meet as well.
 */
async function onService<T>(
  env: Env,
  timeoutMs: number,
  work: (ss: SecretServiceCalls) => Promise<Direct<T>>,
): Promise<Direct<T>> {
  const path = sessionBusPath(env)
  if (!path) return 'native'
  let bus: DBusConnection
  try {
    bus = await DBusConnection.open(path, timeoutMs)
  } catch (err) {
    if (isFinal(err)) throw err
    return 'native' // no daemon at that address: the native module says so in its own words
  }
  try {
    return await work(new SecretServiceCalls(bus))
  } catch (err) {
    if (isFinal(err)) throw err
    return 'native' // an error reply (no service, no plain sessions, an item gone): the native path decides
  } finally {
    bus.close()
  }
}

/** A bus that stopped answering, or that speaks no D-Bus: the native module would fare no better. */
function isFinal(err: unknown): boolean {
  return err instanceof DBusError && (err.errorName === 'timeout' || err.errorName === 'protocol')
}
