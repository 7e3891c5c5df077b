import { SECRETS_ROOT } from '../dbus/secret-service-names.js'
import { StoreError } from '../errors.js'

export type KeychainBackend = 'keychain' | 'wincred' | 'secret-service'

const DISPLAY_NAMES: Record<KeychainBackend, string> = {
  keychain: 'macOS keychain',
  wincred: 'Windows Credential Manager',
  'secret-service': 'Secret Service keyring',
}

const FALLBACK = 'or use --backend file'

/** What the user can do about each kind of failure, per platform. */
const HINTS: Record<StoreError['reason'], (backend: KeychainBackend) => string> = {
  locked: (b) =>
    b === 'secret-service'
      ? `unlock your login keyring (log in to the desktop, or run gnome-keyring-daemon --unlock), ${FALLBACK}`
      : b === 'keychain'
        ? `unlock it with: security unlock-keychain, ${FALLBACK}`
        : `log in interactively, ${FALLBACK}`,
  denied: () => `allow vault access when the keychain asks, ${FALLBACK}`,
  unavailable: (b) =>
    b === 'secret-service'
      ? `start a Secret Service (gnome-keyring, KWallet, KeePassXC) in a D-Bus session, ${FALLBACK}`
      : `check that you are in a logged-in user session, ${FALLBACK}`,
  timeout: () => `it may be waiting for an unlock prompt; unlock it and retry, ${FALLBACK}`,
  corrupt: () => 'remove the item with the platform keychain tool and add it again',
  'too-large': () => `keep the item smaller, ${FALLBACK}`,
  passphrase: () => FALLBACK,
  busy: () => 'another vault process is deleting items (vault clear?); try again when it is done',
}

/**
 * Native messages seen from @napi-rs/keyring 2.x (found by experiment against gnome-keyring):
 *   no bus:     "Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled ..."
 *               "zbus error: Failed to connect to address `unix:path=/run/user/0/bus`: ..."
 *   no daemon:  "Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files"
 *   no default collection: "Couldn't access platform storage: Secret Service: no result found"
 *   locked:     "Couldn't access platform storage: Secret Service: unlock prompt was dismissed"
 *               "zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object"
 *   hung daemon: "Platform failure: DBus error: Did not receive a reply. ..."
 * and from the macOS / Windows APIs by their documented texts and codes.
 * Order matters: a D-Bus timeout also says "DBus error", which alone means "unavailable".
 */
const RULES: Array<[RegExp, StoreError['reason']]> = [
  [/did not receive a reply|timed? ?out|timeout/i, 'timeout'],
  [/locked|unlock prompt|interaction is not allowed|-25308/i, 'locked'],
  [/denied|not permitted|not authorized|user cancel|-128\b|-25293|passphrase you entered/i, 'denied'],
  [/too long|longer than platform limit/i, 'too-large'],
  [/ambiguous|matched by \d+|couldn't decode|bad encoding/i, 'corrupt'],
]

/** An item's object path (collection and item); a collection's path alone is not one. */
const ITEM_PATH = String.raw`${SECRETS_ROOT}/collection/[^/\s"'\u2018\u2019\u201c\u201d]+/[^/\s"'\u2018\u2019\u201c\u201d]+`

/**
 * The Secret Service's answers for an item deleted while we held its path: gnome-keyring drops
 * the object, so a read, delete or listing that reaches it meets one of
 *   GLib's dispatcher (gio/gdbusconnection.c), for any interface of an object unregistered
 *   before or while the call was handled, org.freedesktop.DBus.Properties included:
 *     "No such interface “org.freedesktop.Secret.Item” on object at path /org/freedesktop/secrets/collection/login/272"
 *     "No such interface “org.freedesktop.DBus.Properties” on object at path /org/freedesktop/secrets/collection/login/272"
 *     "Object does not exist at path “/org/freedesktop/secrets/collection/login/272”"
 *   gnome-keyring's own lookup (daemon/dbus/gkd-secret-objects.c, Secret.Error.NoSuchObject):
 *     "The '/org/freedesktop/secrets/collection/login/272' object does not exist"
 * (issue 15: seen with `vault clear` racing `vault export`; issue 28: the Properties wording in
 * concurrent writes). The item is gone, the service is fine: for a read that is a miss, for a
 * listing a reason to list again. A path naming a collection alone (no item number) is not
 * matched: a vanished collection is a real failure.
 */
const VANISHED = [
  /No such interface\W+org\.freedesktop\.Secret\.Item\b/i,
  new RegExp(String.raw`No such interface\W+[\w.]+\W+on object at path\W*${ITEM_PATH}`, 'i'),
  new RegExp(String.raw`(?:Object does not exist|Unknown ?Object)\W.*${ITEM_PATH}`, 'i'),
  new RegExp(String.raw`The\W+${ITEM_PATH}\W+object does not exist`, 'i'),
]

/**
 * The Secret Service daemon died while answering (gnome-keyring aborts on a known race when many
 * short-lived clients open sessions at once: GNOME gitlab gnome-keyring #190, #196, #199). D-Bus or
 * systemd starts it again, so the call is worth repeating; what it says then is the answer.
 */
export function isDaemonGone(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err)
  return /recipient disconnected from message bus without replying/i.test(message)
}

/** True when a native error says an item went away under us (another process deleted it). */
export function isVanishedItem(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err)
  return VANISHED.some((pattern) => pattern.test(message))
}

/** The reason behind a native keyring error; anything unrecognised means the store is unusable. */
export function keychainErrorReason(message: string): StoreError['reason'] {
  return RULES.find(([pattern]) => pattern.test(message))?.[1] ?? 'unavailable'
}

const PHRASES: Partial<Record<StoreError['reason'], string>> = {
  locked: 'is locked',
  denied: 'refused access',
  unavailable: 'is not available',
  corrupt: 'holds an item vault cannot read',
  'too-large': 'refused an item as too large',
}

/**
 * Turn whatever @napi-rs/keyring threw into a StoreError that names the backend and says what to
 * do. The native text is kept as detail: it names sockets and D-Bus errors, never secrets.
 */
export function keychainError(err: unknown, backend: KeychainBackend, action: string): StoreError {
  if (err instanceof StoreError) return err
  const native = err instanceof Error ? err.message : String(err)
  const detail = native
    .replace(/^(Platform failure|Couldn't access platform storage): /, '')
    .replace(/\. Possible causes include:.*$/s, '')
  const reason = keychainErrorReason(native)
  const what = reason === 'timeout' ? 'did not answer' : (PHRASES[reason] ?? 'failed')
  return new StoreError(
    `${action}: the ${DISPLAY_NAMES[backend]} ${what} (${detail})`,
    reason,
    HINTS[reason](backend),
    {
      cause: err,
    },
  )
}

/**
 * The error for a Secret Service whose D-Bus session bus accepted a connection and then said
 * nothing (a stopped or wedged dbus-daemon), found before any native call was made.
 */
export function sessionBusTimeout(backend: KeychainBackend, action: string, ms: number): StoreError {
  return new StoreError(
    `${action}: the ${DISPLAY_NAMES[backend]} did not answer within ${ms / 1000}s (its D-Bus session bus, DBUS_SESSION_BUS_ADDRESS, did not answer)`,
    'timeout',
    `check that the session's dbus-daemon is running, ${FALLBACK}`,
  )
}

/**
 * The error for a session bus that sent a message that is no D-Bus (a 'protocol' DBusError from
 * vault's own client): the store is unavailable, whatever words the message quotes.
 */
export function sessionBusGarbled(backend: KeychainBackend, action: string, detail: string): StoreError {
  return new StoreError(
    `${action}: the ${DISPLAY_NAMES[backend]} is not available (its D-Bus session bus sent ${detail.replace(/^unreadable message from the session bus: /, 'an unreadable message: ')})`,
    'unavailable',
    `check that DBUS_SESSION_BUS_ADDRESS names the session's dbus-daemon, ${FALLBACK}`,
  )
}

/** The error for a native call that outlived its deadline. */
export function keychainTimeout(backend: KeychainBackend, action: string, ms: number): StoreError {
  return new StoreError(
    `${action}: the ${DISPLAY_NAMES[backend]} did not answer within ${ms / 1000}s`,
    'timeout',
    HINTS.timeout(backend),
  )
}

/** The error for a call that met items deleted under it on every attempt. */
export function keychainBusy(backend: KeychainBackend, action: string, attempts: number, cause: unknown): StoreError {
  return new StoreError(
    `${action}: items of the ${DISPLAY_NAMES[backend]} kept vanishing during the call (${attempts} attempts)`,
    'busy',
    HINTS.busy(backend),
    { cause },
  )
}
