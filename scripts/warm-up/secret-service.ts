import { createServer, type Server, type Socket } from 'node:net'
import type { DBusValue } from '../../src/dbus/marshal.js'
import { decodeMessage, encodeMessage, type Message, MessageType, messageLength } from '../../src/dbus/wire.js'
import type { MemoryStore } from '../../src/stores/memory-store.js'

export interface SecretServiceStandIn {
  path: string
  items?: MemoryStore
  close(): Promise<void>
}

/**
 * A Secret Service on a Unix socket, enough for readSecretServiceItem: SASL OK, Hello,
 * OpenSession "plain", SearchItems by the service and username attributes, GetSecrets. Items are
 * `items`'s, one object path per key.
 */
export async function secretServiceStandIn(path: string): Promise<SecretServiceStandIn> {
  const sockets = new Set<Socket>()
  const standIn: SecretServiceStandIn = {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
  const answer = async (call: Message): Promise<Pick<Message, 'signature' | 'body'> | undefined> => {
    const keys = (await standIn.items?.keys()) ?? []
    const itemPath = (key: string) => `/org/freedesktop/secrets/collection/login/${keys.indexOf(key) + 1}`
    switch (call.member) {
      case 'Hello':
        return { signature: 's', body: [':1.1'] }
      case 'OpenSession':
        return { signature: 'vo', body: [{ signature: 's', value: '' }, '/org/freedesktop/secrets/session/1'] }
      case 'SearchItems': {
        const wanted = new Map(call.body[0] as Array<[string, string]>)
        const key = wanted.get('username') ?? ''
        const found = wanted.get('service') === 'aws-vault' && keys.includes(key) ? [itemPath(key)] : []
        return { signature: 'aoao', body: [found, []] }
      }
      case 'GetSecrets': {
        const secrets: DBusValue[] = []
        for (const key of keys) {
          if (!(call.body[0] as string[]).includes(itemPath(key))) continue
          const item = await standIn.items?.get(key)
          if (!item) continue
          const value = [String(call.body[1]), Buffer.alloc(0), Buffer.from(item.data, 'utf8'), 'text/plain']
          secrets.push([itemPath(key), value])
        }
        return { signature: 'a{o(oayays)}', body: [secrets] }
      }
      default:
        return undefined
    }
  }
  const serve = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    let authed = false
    let inbox = Buffer.alloc(0)
    let queue = Promise.resolve()
    const onData = async (chunk: Buffer) => {
      if (!authed) {
        const begin = chunk.indexOf('BEGIN\r\n')
        if (begin < 0) return
        authed = true
        socket.write('OK 00000000000000000000000000000000\r\n')
        chunk = chunk.subarray(begin + 7)
      }
      inbox = Buffer.concat([inbox, chunk])
      for (let len = messageLength(inbox); len !== undefined && inbox.length >= len; len = messageLength(inbox)) {
        const call = decodeMessage(inbox.subarray(0, len))
        inbox = inbox.subarray(len)
        const reply = await answer(call)
        const head = { flags: 0, serial: call.serial, replySerial: call.serial }
        socket.write(
          reply
            ? encodeMessage({ ...head, type: MessageType.MethodReturn, ...reply })
            : encodeMessage({
                ...head,
                type: MessageType.Error,
                errorName: 'org.freedesktop.DBus.Error.UnknownMethod',
                signature: 's',
                body: [`the warm-up's stand-in does not answer ${call.member}`],
              }),
        )
      }
    }
    // One chunk at a time: the answers read the store, and a reply must not overtake another.
    socket.on('data', (chunk: Buffer) => {
      queue = queue
        .then(() => onData(chunk))
        .catch(() => {
          socket.destroy()
        })
    })
  }
  const server: Server = createServer(serve)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, resolve)
  })
  return standIn
}
