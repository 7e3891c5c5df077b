import { sessionBusPath } from '../dbus/address.js'
import { type BusProbe, probeSessionBus } from '../dbus/probe.js'
import { VAULT_KEYRING_SERVICE } from '../dbus/secret-service-names.js'
import { StoreError } from '../errors.js'
import type { Logger } from '../runtime/types.js'
import { silentLogger } from '../runtime/types.js'
import type { BulkReadable } from './bulk-read.js'
import {
  isDaemonGone,
  isVanishedItem,
  type KeychainBackend,
  keychainBusy,
  keychainError,
  keychainTimeout,
  sessionBusGarbled,
  sessionBusTimeout,
} from './keychain-errors.js'
import { type KeyringBinding, trackNativeCall } from './native-calls.js'
import type { Direct, DirectCalls } from './secret-service-direct.js'
import type { IndexLock, SecretItem, SecretStore } from './secret-store.js'

export type { KeyringBinding } from './native-calls.js'

export interface KeychainStoreOptions {
  backend: KeychainBackend
  platform: NodeJS.Platform
  /** aws-vault's service name, so both tools see the same items on macOS. */
  service?: string
  /** Deadline for each native call. A locked keyring may wait on a GUI prompt forever. */
  timeoutMs?: number
  logger?: Logger
  loadBinding?: () => Promise<KeyringBinding>
  /**
   * Checks, before each native call, that the D-Bus session bus answers (src/dbus/probe.ts).
   * Defaults to the real probe for the Secret Service with the real binding, and to none otherwise.
   */
  probeBus?: (timeoutMs: number) => Promise<BusProbe>
  /** Lets the typed stores keep an index item, as listing reads every secret (see store-index.ts). */
  indexLock?: IndexLock
  indexFile?: string
  /**
   * The calls that skip the native module (Linux: secret-service-direct.ts), tried first by every
   * operation; each answers 'native' to hand its case to the binding.
   */
  direct?: DirectCalls
}

export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 5000

/**
 * The probe of the bus the native module will use. It runs before every native call, not once a
 * process: @napi-rs/keyring opens a new D-Bus connection for each call (strace: `vault add` makes
 * three), and a long-lived process (a credential server) may meet a bus that stopped since.
 * It reads process.env, not the runtime's env, on purpose: libdbus inside the native module finds
 * the bus from the process's own environment, and the probe must ask that same bus.
 */
const probeProcessBus = (timeoutMs: number) => probeSessionBus(sessionBusPath(process.env), timeoutMs)

/** How many times a call runs in all when the daemon dies under it (isDaemonGone). */
const RESTART_ATTEMPTS = 3

/**
 * How many times a call that met an item deleted under it (isVanishedItem) runs in all. A listing
 * or a write meets one only while another process deletes items; each deletion is one D-Bus call,
 * so a few tries outlast any `vault clear`. A read or delete is not retried: the item is gone.
 */
export const VANISHED_ATTEMPTS = 4

/** CRED_MAX_CREDENTIAL_BLOB_SIZE; keyring-rs stores the password as UTF-16, two bytes a unit. */
export const WINCRED_MAX_BLOB_BYTES = 2560

// Pin Linux to the Secret Service: the binding would otherwise fall back silently to the kernel
// keyring, which forgets everything at reboot. The option is ignored on other platforms.
const ENTRY_OPTIONS = { linux: { store: 'secret-service' } } as const

/**
 * A SecretStore over the OS keychain through @napi-rs/keyring: service `aws-vault`, account = item
 * key, password = item data. That is aws-vault's macOS item layout; aws-vault keeps those items in
 * its own `aws-vault` keychain file, which the system finds when it is in the keychain search list.
 * Linux and Windows use keyring-rs's attributes, so there the items are vault's own. Labels and
 * descriptions are not kept: keyring-rs sets its own.
 *
 * Every native call runs against a deadline, in a helper process (native-host.ts): a call that
 * times out may still be running there, and the CLI's exit path abandons it (src/cli/hard-exit.ts)
 * while keychainCallsPending() (native-calls.ts), so vault still exits with its own code.
 */
export class KeychainStore implements SecretStore, BulkReadable {
  readonly name: KeychainBackend
  readonly indexLock?: IndexLock
  readonly indexFile?: string
  readonly indexComplete: boolean
  private readonly service: string
  private readonly timeoutMs: number
  private readonly logger: Logger
  private binding?: Promise<KeyringBinding>
  private readonly probeBus?: (timeoutMs: number) => Promise<BusProbe>

  constructor(private readonly opts: KeychainStoreOptions) {
    this.name = opts.backend
    this.service = opts.service ?? VAULT_KEYRING_SERVICE
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS
    this.logger = opts.logger ?? silentLogger
    this.indexLock = opts.indexLock
    this.indexFile = opts.indexFile
    this.probeBus =
      opts.probeBus ?? (opts.backend === 'secret-service' && !opts.loadBinding ? probeProcessBus : undefined)
    // aws-vault's Secret Service backend keeps its items in its own `awsvault` collection under
    // other attributes, so items of service `aws-vault` there are vault's alone. On macOS the
    // two tools share items, and aws-vault does not update vault's index.
    this.indexComplete = opts.backend === 'secret-service' && opts.indexFile !== undefined
  }

  async get(key: string): Promise<SecretItem | null> {
    const direct = await this.direct(`reading "${key}"`, (d) => d.read(this.service, key, this.timeoutMs))
    if (direct !== 'native') return direct === null ? null : { key, data: direct }
    const data = await this.call(`reading "${key}"`, (b, signal) => this.entry(b, key).getPassword(signal), {
      vanished: () => null,
    })
    return data === null ? null : { key, data }
  }

  /** One targeted read: the binding has no call that tells existence without the secret. */
  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== null
  }

  async set(item: SecretItem): Promise<void> {
    this.checkSize(item)
    const action = `writing "${item.key}"`
    const direct = await this.direct(action, (d) => d.write(this.service, item.key, item.data, this.timeoutMs))
    if (direct !== 'native') return
    await this.call(action, (b, signal) => this.entry(b, item.key).setPassword(item.data, signal), {
      retry: true,
    })
  }

  async remove(key: string): Promise<boolean> {
    const direct = await this.direct(`removing "${key}"`, (d) => d.remove(this.service, key, this.timeoutMs))
    if (direct !== 'native') return direct
    return this.call(`removing "${key}"`, (b, signal) => this.entry(b, key).deleteCredential(signal), {
      vanished: () => false,
    })
  }

  async keys(): Promise<string[]> {
    return (await this.entries()).map((item) => item.key)
  }

  /** Every item with its data, in one native call. */
  async entries(): Promise<SecretItem[]> {
    const direct = await this.direct('listing items', (d) => d.list(this.service, this.timeoutMs))
    if (direct !== 'native') return direct
    // The listing call has no D-Bus timeout of its own; the deadline in call() bounds it (a
    // hung daemon ends in a 'timeout' StoreError, and its helper is abandoned, src/cli/hard-exit.ts).
    const found = await this.call('listing items', (b, signal) => b.findCredentialsAsync(this.service, null, signal), {
      retry: true,
    })
    return found.map((c) => ({ key: c.account, data: c.password }))
  }

  /** One operation over `direct`, when there is one; its errors become the native call's. */
  private async direct<T>(action: string, run: (d: DirectCalls) => Promise<Direct<T>>): Promise<Direct<T>> {
    if (!this.opts.direct) return 'native'
    const started = Date.now()
    try {
      const found = await run(this.opts.direct)
      this.logger.debug(
        `${this.name}: ${action} over D-Bus took ${Date.now() - started}ms${found === 'native' ? '; handing it to the native module' : ''}`,
      )
      return found
    } catch (err) {
      // A bus or service that stopped answering: the deadline's error, as for a native call.
      const errorName = (err as { errorName?: string }).errorName
      if (errorName === 'timeout') throw keychainTimeout(this.name, action, this.timeoutMs)
      // A bus that sends what is no D-Bus message: unavailable, and not handed to the native module.
      if (errorName === 'protocol') throw sessionBusGarbled(this.name, action, (err as Error).message)
      this.logger.debug(
        `${this.name}: ${action} over D-Bus failed (${(err as Error).message}); using the native module`,
      )
      return 'native'
    }
  }

  private entry(b: KeyringBinding, key: string) {
    return new b.AsyncEntry(this.service, key, ENTRY_OPTIONS)
  }

  private checkSize(item: SecretItem): void {
    if (this.opts.platform !== 'win32') return
    const size = Buffer.byteLength(item.data, 'utf16le')
    if (size <= WINCRED_MAX_BLOB_BYTES) return
    throw new StoreError(
      `cannot store "${item.key}": it is ${size} bytes and Windows Credential Manager holds at most ${WINCRED_MAX_BLOB_BYTES}`,
      'too-large',
      'use --backend file for items this large',
    )
  }

  private load(): Promise<KeyringBinding> {
    this.binding ??= (this.opts.loadBinding ?? loadHostedBinding)().catch((err: unknown) => {
      this.binding = undefined
      throw new StoreError(
        `cannot load the keychain module: ${(err as Error).message}`,
        'unavailable',
        'use --backend file',
        {
          cause: err,
        },
      )
    })
    return this.binding
  }

  /**
   * Run one native call with a deadline, and turn native errors into StoreErrors. An item deleted
   * under the call is `vanished()` (a read's miss), or with `retry` a reason to run it again.
   */
  private async call<T>(
    action: string,
    run: (b: KeyringBinding, signal: AbortSignal) => Promise<T>,
    onVanished: { vanished?: () => T; retry?: boolean },
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.callOnce(action, run)
      } catch (err) {
        const cause = err instanceof StoreError ? err.cause : undefined
        if (isDaemonGone(cause) && attempt < RESTART_ATTEMPTS) {
          this.logger.debug(`${this.name}: ${action}: the Secret Service daemon went away; asking again`)
          await new Promise((r) => setTimeout(r, 250 * attempt))
          continue
        }
        if (!isVanishedItem(cause)) throw err
        if (onVanished.vanished) {
          this.logger.debug(`${this.name}: ${action}: the item was deleted meanwhile`)
          return onVanished.vanished()
        }
        if (!onVanished.retry) throw err
        if (attempt >= VANISHED_ATTEMPTS) throw keychainBusy(this.name, action, attempt, cause)
        this.logger.debug(`${this.name}: ${action}: an item was deleted meanwhile; trying again`)
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20))
      }
    }
  }

  /**
   * Run one native call with a deadline that also covers the bus probe and loading the module.
   * The probe: @napi-rs/keyring connects to D-Bus inside the AsyncEntry constructor, on this
   * thread, and libdbus waits for the bus's authentication answer with no timeout, so a stopped
   * dbus-daemon would freeze the process before any timer could fire (gdb: main thread in
   * select() under the constructor). The probe asks the same question from Node first.
   */
  private async callOnce<T>(action: string, run: (b: KeyringBinding, signal: AbortSignal) => Promise<T>): Promise<T> {
    // The module first, outside this call's deadline: it loads in the helper process, which has a
    // start-up limit of its own (a busy machine's process start is not the keyring's answer).
    const binding = await this.load()
    const controller = new AbortController()
    let inNative = false
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(
          inNative
            ? keychainTimeout(this.name, action, this.timeoutMs)
            : sessionBusTimeout(this.name, action, this.timeoutMs),
        )
      }, this.timeoutMs)
    })
    const started = Date.now()
    const work = async () => {
      const bus = await this.probeBus?.(this.timeoutMs)
      if (bus === 'silent') throw sessionBusTimeout(this.name, action, this.timeoutMs)
      if (controller.signal.aborted) throw keychainTimeout(this.name, action, this.timeoutMs)
      inNative = true
      const native = Promise.resolve().then(() => run(binding, controller.signal))
      trackNativeCall(native, this.timeoutMs)
      return native
    }
    try {
      return await Promise.race([work(), deadline])
    } catch (err) {
      throw keychainError(err, this.name, action)
    } finally {
      clearTimeout(timer)
      this.logger.debug(`${this.name}: ${action} took ${Date.now() - started}ms`)
    }
  }
}

/** The native module, run in a helper process of its own (native-host.ts). */
async function loadHostedBinding(): Promise<KeyringBinding> {
  const host = await import('./native-host.js')
  await host.hostReady(HOST_START_LIMIT_MS)
  return host.hostedBinding()
}

/** How long the helper process may take to start: seconds when 64 vaults start at once on 2 cores. */
const HOST_START_LIMIT_MS = 30_000
