import { sessionBusPath } from '../dbus/address.js'
import { DBusConnection, DBusError } from '../dbus/connection.js'
import type { DBusValue } from '../dbus/marshal.js'
import type { Env } from '../runtime/types.js'

const SERVICE = 'org.freedesktop.secrets'
const ROOT = '/org/freedesktop/secrets'

/**
 * What a direct read found: the item's secret, no item (null), or 'native' when the case is one
 * the native module handles (no bus Node can reach, no Secret Service, a locked item that needs
 * its unlock prompt, two matching items, a service without plain sessions).
 */
export type DirectRead = string | null | 'native'

/**
 * One targeted read of a vault item over the Secret Service API (freedesktop.org Secret Service
 * 0.2: OpenSession "plain", SearchItems, GetSecrets), spoken in Node on vault's own D-Bus client.
 *
 * This is the cache hit's read on Linux. @napi-rs/keyring connects to the bus and opens an
 * encrypted session synchronously, on the JavaScript thread, in every AsyncEntry constructor
 * (~7–10 ms of each hit, and a frozen process when the bus daemon is stopped); here the same read
 * is a few round trips on a Unix socket, each under `timeoutMs`. The items are the ones
 * keyring-rs writes (attributes service and username), so writes stay with the native module.
 *
 * The plain session sends the secret over the user's own bus socket, as `secret-tool lookup`
 * does when it is offered no encryption; nothing is written anywhere.
 *
 * Rejects with a DBusError: 'timeout' when the bus or the service stops answering, 'protocol'
 * when it sends a message vault cannot read (the native module is not handed a bus like that).
 */
export async function readSecretServiceItem(
  env: Env,
  service: string,
  key: string,
  timeoutMs: number,
): Promise<DirectRead> {
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
    const call = (path: string, iface: string, member: string, signature: string, body: DBusValue[]) =>
      bus.call({ destination: SERVICE, path, interface: `org.freedesktop.Secret.${iface}`, member, signature, body })
    // Both at once: one round trip.
    const [[, session], [unlocked, locked]] = (await Promise.all([
      call(ROOT, 'Service', 'OpenSession', 'sv', ['plain', { signature: 's', value: '' }]),
      call(ROOT, 'Service', 'SearchItems', 'a{ss}', [
        [
          ['service', service],
          ['username', key],
        ],
      ]),
    ])) as [DBusValue[], [string[], string[]]]
    if (locked.length > 0 || unlocked.length > 1) return 'native'
    if (unlocked.length === 0) return null
    const [secrets] = (await call(ROOT, 'Service', 'GetSecrets', 'aoo', [unlocked, String(session)])) as [
      Array<[string, DBusValue[]]>,
    ]
    const secret = secrets.find(([item]) => item === unlocked[0])?.[1]
    // (session, parameters, value, content type): keyring-rs stores the password as UTF-8 bytes.
    if (!secret || !Buffer.isBuffer(secret[2])) return 'native'
    return secret[2].toString('utf8')
  } catch (err) {
    if (isFinal(err)) throw err
    return 'native' // an error reply (no service, plain sessions not offered): the native path decides
  } finally {
    bus.close()
  }
}

/** A bus that stopped answering, or that speaks no D-Bus: the native module would fare no better. */
function isFinal(err: unknown): boolean {
  return err instanceof DBusError && (err.errorName === 'timeout' || err.errorName === 'protocol')
}
