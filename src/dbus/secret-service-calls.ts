import type { DBusConnection } from './connection.js'
import type { DBusValue, Variant } from './marshal.js'
import { DBus, SECRETS_BUS_NAME, SECRETS_ROOT, SecretInterface } from './secret-service-names.js'

/**
 * Calls to the Secret Service (org.freedesktop.secrets) on one connection: what vault's speakers of
 * it share, the direct calls on vault's items (src/stores/secret-service-direct.ts) and the reader
 * of aws-vault's collection (src/aws-vault/secret-service.ts). Each rejects as DBusConnection.call
 * does; its callers decide what an error means to them.
 */
export class SecretServiceCalls {
  constructor(readonly bus: DBusConnection) {}

  call(path: string, iface: string, member: string, signature?: string, body?: DBusValue[]): Promise<DBusValue[]> {
    return this.bus.call({ destination: SECRETS_BUS_NAME, path, interface: iface, member, signature, body })
  }

  /** A property's value (org.freedesktop.DBus.Properties.Get, unwrapped from its variant). */
  async property(path: string, iface: string, name: string): Promise<DBusValue> {
    const [v] = await this.call(path, DBus.properties, 'Get', 'ss', [iface, name])
    return (v as Variant).value
  }

  /**
   * A plain session's path: the secret travels as it is, on the user's own bus socket, as
   * `secret-tool` sends it when it is offered no encryption.
   */
  async openPlainSession(): Promise<string> {
    const [, session] = await this.call(SECRETS_ROOT, SecretInterface.service, 'OpenSession', 'sv', [
      'plain',
      { signature: 's', value: '' },
    ])
    return String(session)
  }
}
