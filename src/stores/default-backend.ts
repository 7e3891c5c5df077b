import { existsSync, readFileSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { delimiter, dirname, join } from 'node:path'
import { sessionBusPath } from '../dbus/address.js'
import type { DBusConnection as Connection } from '../dbus/connection.js'
import type { DBusValue } from '../dbus/marshal.js'
import type { Env } from '../runtime/types.js'

/** What answers for the Secret Service on the session bus. */
export type SecretServicePresence = 'present' | 'no-bus' | 'no-service' | 'unknown'

const SECRETS = 'org.freedesktop.secrets'

/**
 * Is there a Secret Service to talk to? No session bus address, or nothing listening at it, is
 * 'no-bus'. A bus whose daemon says the name org.freedesktop.secrets has no owner and is not
 * activatable is 'no-service'. A bus that does not answer in time, or answers oddly, is 'unknown':
 * the keychain's own calls then say what is wrong, as before. One connection and one round trip
 * (NameHasOwner and ListActivatableNames together), answered by the bus daemon itself.
 */
export async function probeSecretService(env: Env, timeoutMs: number): Promise<SecretServicePresence> {
  const path = sessionBusPath(env)
  // An address vault cannot reach itself (tcp:, launchd:): the native module may.
  if (!path) return env.DBUS_SESSION_BUS_ADDRESS ? 'unknown' : 'no-bus'
  const { DBusConnection, DBusError } = await import('../dbus/connection.js')
  let bus: Connection
  try {
    bus = await DBusConnection.open(path, timeoutMs)
  } catch (err) {
    return err instanceof DBusError && err.errorName === 'timeout' ? 'unknown' : 'no-bus'
  }
  try {
    const call = (member: string, signature?: string, body?: DBusValue[]) =>
      bus.call({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member,
        signature,
        body,
      })
    const [[owned], [activatable]] = (await Promise.all([
      call('NameHasOwner', 's', [SECRETS]),
      call('ListActivatableNames'),
    ])) as [[boolean], [string[]]]
    return owned || activatable.includes(SECRETS) ? 'present' : 'no-service'
  } catch {
    return 'unknown'
  } finally {
    bus.close()
  }
}

/**
 * aws-vault's keyring library opens the first backend that works; with no Secret Service that is
 * pass when it is set up (a password store with a .gpg-id, and the pass command on PATH), else
 * the encrypted file.
 */
export function headlessBackend(env: Env, passDir: string, passCmd: string): 'pass' | 'file' {
  if (!existsSync(join(passDir, '.gpg-id'))) return 'file'
  const onPath = passCmd.includes('/')
    ? existsSync(passCmd)
    : (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, passCmd)))
  return onPath ? 'pass' : 'file'
}

/**
 * The one-line notice for a fallback, written the first time vault falls back to `backend` (a
 * stamp under ~/.awsvault remembers it), so a user is told once, not on every command.
 */
export async function noticeOnce(
  stamp: string,
  backend: string,
  why: string,
  where: string,
  write: (line: string) => void,
): Promise<void> {
  try {
    if ((await readFile(stamp, 'utf8')) === backend) return
  } catch {}
  write(
    `vault: note: no Secret Service here (${why}); using the ${backend === 'file' ? 'encrypted file' : 'pass'} backend in ${where}. Choose another with --backend or AWS_VAULT_BACKEND.\n`,
  )
  try {
    await mkdir(dirname(stamp), { recursive: true, mode: 0o700 })
    await writeFile(stamp, backend, { mode: 0o600 })
    await chmod(stamp, 0o600)
  } catch {
    // Only the notice repeats next time.
  }
}

/**
 * The probe costs a connection and a round trip (~3 ms of CPU), too much for every cache hit. Once
 * a bus had a Secret Service, its address is remembered in `memo`, and later runs on the same bus
 * skip the probe. A bus that has since lost its Secret Service then gets the keychain's own error,
 * which names --backend file, as before the fallback existed.
 */
export async function secretServiceOnBus(
  env: Env,
  memo: string,
  probe: (env: Env) => Promise<SecretServicePresence>,
): Promise<SecretServicePresence> {
  const bus = env.DBUS_SESSION_BUS_ADDRESS || sessionBusPath(env)
  if (!bus) return 'no-bus'
  try {
    if (readFileSync(memo, 'utf8') === bus) return 'present'
  } catch {}
  const presence = await probe(env)
  if (presence === 'present') {
    try {
      await mkdir(dirname(memo), { recursive: true, mode: 0o700 })
      await writeFile(memo, bus, { mode: 0o600 })
    } catch {
      // Only the probe repeats next time.
    }
  }
  return presence
}
