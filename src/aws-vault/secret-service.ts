import { sessionBusPath } from '../dbus/address.js'
import { DBusConnection, DBusError } from '../dbus/connection.js'
import type { DBusValue } from '../dbus/marshal.js'
import { SecretServiceCalls } from '../dbus/secret-service-calls.js'
import {
  AWS_VAULT_KEY_ATTRIBUTE,
  collectionPath,
  DBusErrorName,
  SECRETS_ROOT,
  SecretInterface,
} from '../dbus/secret-service-names.js'
import { NotFoundError, StoreError } from '../errors.js'
import { type Env, type Logger, silentLogger } from '../runtime/types.js'
import { unmarshalItem } from '../stores/aws-vault-item.js'
import type { SecretItem } from '../stores/secret-store.js'

const HINT = 'start your keyring (gnome-keyring, KeePassXC) and run vault import again, or use --from-backend'

export interface AwsVaultSecretServiceOptions {
  env: Env
  /** aws-vault's --secret-service-collection, "awsvault" unless set. */
  collection: string
  /** Deadline for each D-Bus call (and for connecting). */
  timeoutMs: number
  logger?: Logger
}

/**
 * Reads aws-vault's items in the Secret Service, in 99designs/keyring's layout (secretservice.go
 * with gsterjov/go-libsecret): a collection labelled "awsvault", found by its object path
 * (/org/freedesktop/secrets/collection/awsvault, gnome-keyring's `_XX` escapes decoded), one item
 * per key with the key as label and attributes {"profile": key}, and as secret the keyring.Item
 * marshalled by Go's encoding/json. Read-only, and it never prompts: a locked collection is an error.
 *
 * @napi-rs/keyring reaches only the default collection, by keyring-rs attributes, so this speaks
 * D-Bus itself (src/dbus/connection.ts).
 */
export class AwsVaultSecretService {
  readonly name = 'secret-service'
  readonly where: string
  private conn?: Promise<{ bus: DBusConnection; session: string; collection: string }>
  private readonly logger: Logger

  constructor(private readonly opts: AwsVaultSecretServiceOptions) {
    this.where = `aws-vault's Secret Service collection "${opts.collection}"`
    this.logger = opts.logger ?? silentLogger
  }

  /** Item labels, as aws-vault's Keys() lists them. */
  async keys(): Promise<string[]> {
    const { collection } = await this.open()
    const paths = (await this.property(collection, SecretInterface.collection, 'Items')) as string[]
    const labels: string[] = []
    for (const path of paths) labels.push(String(await this.property(path, SecretInterface.item, 'Label')))
    return labels.sort()
  }

  /** The first item whose "profile" attribute is `key`, as aws-vault's Get() picks it. */
  async get(key: string): Promise<SecretItem | null> {
    const { session, collection } = await this.open()
    const [paths] = await this.call(collection, SecretInterface.collection, 'SearchItems', 'a{ss}', [
      [[AWS_VAULT_KEY_ATTRIBUTE, key]],
    ])
    const path = (paths as string[])[0]
    if (!path) return null
    const [secret] = await this.call(path, SecretInterface.item, 'GetSecret', 'o', [session])
    const value = (secret as DBusValue[])[2] as Buffer
    const item = unmarshalItem(value.toString('utf8'))
    if (!item) {
      throw new StoreError(`${this.where}: the item "${key}" is not an aws-vault item`, 'corrupt', HINT)
    }
    return item
  }

  close(): void {
    this.conn?.then(({ bus }) => bus.close()).catch(() => {})
  }

  private open() {
    this.conn ??= this.connect()
    return this.conn
  }

  private async connect() {
    const path = sessionBusPath(this.opts.env)
    if (!path) {
      throw new StoreError(
        `cannot read ${this.where}: no session bus (DBUS_SESSION_BUS_ADDRESS is not set)`,
        'unavailable',
        HINT,
      )
    }
    let bus: DBusConnection
    try {
      bus = await DBusConnection.open(path, this.opts.timeoutMs)
    } catch (err) {
      throw this.error(err, 'connecting to the session bus')
    }
    this.logger.debug(`aws-vault secret service: connected to the session bus as ${bus.uniqueName}`)
    try {
      const session = await new SecretServiceCalls(bus).openPlainSession().catch((err: unknown) => {
        throw this.error(err, `OpenSession on ${SECRETS_ROOT}`)
      })
      const want = collectionPath(this.opts.collection)
      const all = (await this.propertyOn(bus, SECRETS_ROOT, SecretInterface.service, 'Collections')) as string[]
      const collection = all.find((p) => decodeKeyringString(p) === want)
      if (!collection) {
        throw new NotFoundError(
          `${this.where} does not exist: nothing to import`,
          'if aws-vault uses another collection, set it with --secret-service-collection',
        )
      }
      if (await this.propertyOn(bus, collection, SecretInterface.collection, 'Locked')) {
        await this.unlockWithoutPrompt(bus, collection)
      }
      return { bus, session, collection }
    } catch (err) {
      bus.close()
      throw err
    }
  }

  /** Unlock succeeds without a prompt only when nothing needs asking; a prompt is dismissed, not shown. */
  private async unlockWithoutPrompt(bus: DBusConnection, collection: string): Promise<void> {
    const [unlocked, prompt] = await this.callOn(bus, SECRETS_ROOT, SecretInterface.service, 'Unlock', 'ao', [
      [collection],
    ])
    if ((unlocked as string[]).includes(collection)) return
    if (prompt !== '/') {
      await this.callOn(bus, String(prompt), SecretInterface.prompt, 'Dismiss').catch(() => {})
    }
    throw new StoreError(
      `${this.where} is locked`,
      'locked',
      'unlock it (run aws-vault list, or use your keyring app) and run vault import again',
    )
  }

  private async property(path: string, iface: string, name: string): Promise<DBusValue> {
    return this.propertyOn((await this.open()).bus, path, iface, name)
  }

  private async propertyOn(bus: DBusConnection, path: string, iface: string, name: string): Promise<DBusValue> {
    try {
      return await new SecretServiceCalls(bus).property(path, iface, name)
    } catch (err) {
      throw this.error(err, `Get ${name} on ${path}`)
    }
  }

  private async call(path: string, iface: string, member: string, signature?: string, body?: DBusValue[]) {
    return this.callOn((await this.open()).bus, path, iface, member, signature, body)
  }

  private async callOn(
    bus: DBusConnection,
    path: string,
    iface: string,
    member: string,
    signature?: string,
    body?: DBusValue[],
  ): Promise<DBusValue[]> {
    try {
      return await new SecretServiceCalls(bus).call(path, iface, member, signature, body)
    } catch (err) {
      throw this.error(err, `${member} on ${path}`)
    }
  }

  private error(err: unknown, what: string): Error {
    if (!(err instanceof DBusError)) return err as Error
    this.logger.debug(`aws-vault secret service: ${what}: ${err.message}`)
    if (err.errorName === 'timeout') {
      return new StoreError(
        `cannot read ${this.where}: the Secret Service did not answer within ${this.opts.timeoutMs / 1000}s`,
        'timeout',
        HINT,
        { cause: err },
      )
    }
    if (err.errorName === DBusErrorName.isLocked) {
      return new StoreError(`${this.where} is locked`, 'locked', 'unlock it and run vault import again', {
        cause: err,
      })
    }
    const why =
      err.errorName === DBusErrorName.serviceUnknown || err.errorName === DBusErrorName.nameHasNoOwner
        ? 'no Secret Service is running on the session bus'
        : err.message
    return new StoreError(`cannot read ${this.where}: ${why}`, 'unavailable', HINT, { cause: err })
  }
}

/**
 * 99designs/keyring's decodeKeyringString: gnome-keyring writes a collection label's bytes other
 * than [A-Za-z0-9] into its object path as `_XX` (hex); undecodable input is returned unchanged.
 */
export function decodeKeyringString(src: string): string {
  const out: number[] = []
  const bytes = Buffer.from(src, 'utf8')
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x5f) {
      out.push(bytes[i])
      continue
    }
    if (i + 3 > bytes.length) return src
    const hex = bytes.toString('latin1', i + 1, i + 3)
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return src
    out.push(Number.parseInt(hex, 16))
    i += 2
  }
  return Buffer.from(out).toString('utf8')
}
