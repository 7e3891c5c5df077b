import { createConnection, type Socket } from 'node:net'
import { DBusError, printable } from './dbus-error.js'
import type { DBusValue } from './marshal.js'
import { encodeMessage, type Message, MessageFramer, MessageType } from './wire.js'

export { DBusError } from './dbus-error.js'

/** The longest authentication line a bus may send before its CRLF (its OK line is ~36 bytes). */
const MAX_AUTH_LINE = 16 * 1024

export interface CallSpec {
  destination: string
  path: string
  interface: string
  member: string
  signature?: string
  body?: DBusValue[]
}

/**
 * A minimal D-Bus client connection over a Unix socket: SASL EXTERNAL, Hello, and method calls,
 * each with a deadline, so a stopped or frozen peer rejects with a 'timeout' DBusError instead of
 * hanging. Signals and calls addressed to us are ignored. Whatever the peer sends, every failure
 * reaches the callers as a rejected DBusError: a malformed message ('protocol') fails the
 * connection and every pending call, and nothing is thrown from the socket's handlers.
 */
export class DBusConnection {
  private serial = 0
  private pending = new Map<number, { resolve(m: Message): void; reject(e: Error): void }>()
  private framer = new MessageFramer()
  private closed?: DBusError
  uniqueName = ''

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Connects, authenticates as this process's uid and says Hello, all within `timeoutMs` and in
   * one round trip: AUTH, BEGIN and Hello go out together, as sd-bus pipelines them (the bus
   * reads BEGIN and the message only after its OK), instead of a round trip for each.
   */
  static async open(path: string, timeoutMs: number): Promise<DBusConnection> {
    const socket = createConnection({ path })
    const conn = new DBusConnection(socket, timeoutMs)
    try {
      const authenticated = conn.authenticate()
      const hello = conn.call({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'Hello',
      })
      hello.catch(() => {}) // its failure is the authentication's when that fails first
      await withDeadline(authenticated, timeoutMs, 'connecting to the session bus', () => socket.destroy())
      const [name] = await hello
      conn.uniqueName = String(name)
      return conn
    } catch (err) {
      conn.fail(err instanceof DBusError ? err : new DBusError(String(err), 'disconnected'))
      throw err
    }
  }

  /** Resolves the reply's body; rejects with the error reply, or on timeout or disconnection. */
  call(spec: CallSpec): Promise<DBusValue[]> {
    if (this.closed) return Promise.reject(this.closed)
    this.serial += 1
    const serial = this.serial
    let bytes: Buffer
    try {
      bytes = encodeMessage({ type: MessageType.MethodCall, flags: 0, serial, ...spec })
    } catch (err) {
      return Promise.reject(err)
    }
    const what = `${spec.interface}.${spec.member}`
    const reply = new Promise<Message>((resolve, reject) => {
      this.pending.set(serial, { resolve, reject })
      this.socket.write(bytes)
    })
    return withDeadline(reply, this.timeoutMs, what, () => this.pending.delete(serial)).then((m) => {
      if (m.type === MessageType.Error) {
        // The peer's own words, made printable: they end up in an error line.
        const text = typeof m.body[0] === 'string' ? m.body[0] : ''
        throw new DBusError(printable(`${m.errorName}${text ? `: ${text}` : ''}`, 300), m.errorName ?? 'unknown')
      }
      return m.body
    })
  }

  close(): void {
    this.closed ??= new DBusError('the connection to the session bus is closed', 'disconnected')
    this.socket.destroy()
  }

  /**
   * SASL EXTERNAL (spec: "Authentication Protocol"): a NUL byte, then the uid in hex ASCII, and
   * BEGIN at once. The first line back must be OK; the bytes after it are messages.
   */
  private authenticate(): Promise<void> {
    return new Promise((resolve, reject) => {
      let text = ''
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1')
        const end = text.indexOf('\r\n')
        if (end < 0 && text.length > MAX_AUTH_LINE) {
          this.socket.off('data', onData)
          failWith(`its authentication answer has no line end in ${MAX_AUTH_LINE} bytes`)
        }
        if (end < 0) return
        this.socket.off('data', onData)
        this.socket.off('error', onError)
        this.socket.off('close', onClose)
        const line = text.slice(0, end)
        if (!line.startsWith('OK ')) {
          const err = new DBusError(`the session bus refused authentication (${line})`, 'auth')
          reject(err)
          this.fail(err)
          return
        }
        this.listen(Buffer.from(text.slice(end + 2), 'latin1'))
        resolve()
      }
      const failWith = (message: string) => {
        const err = new DBusError(`cannot connect to the session bus: ${message}`, 'disconnected')
        reject(err)
        this.fail(err)
      }
      const onError = (err: Error) => failWith(err.message)
      const onClose = () => failWith('the bus closed the connection')
      this.socket.on('data', onData)
      this.socket.once('error', onError)
      this.socket.once('close', onClose)
      const uid = Buffer.from(String(process.getuid?.() ?? 0), 'ascii').toString('hex')
      this.socket.write(`\0AUTH EXTERNAL ${uid}\r\nBEGIN\r\n`)
    })
  }

  /** Reads messages from here on, starting with `first`, the bytes that came with the OK line. */
  private listen(first: Buffer): void {
    const onData = (chunk: Buffer) => {
      let messages: Message[]
      try {
        messages = this.framer.push(chunk)
      } catch (err) {
        const why = err instanceof DBusError ? err.message : String(err)
        this.fail(new DBusError(`unreadable message from the session bus: ${why}`, 'protocol'))
        return
      }
      for (const m of messages) {
        if (m.type !== MessageType.MethodReturn && m.type !== MessageType.Error) continue
        const waiter = m.replySerial === undefined ? undefined : this.pending.get(m.replySerial)
        if (!waiter || m.replySerial === undefined) continue
        this.pending.delete(m.replySerial)
        waiter.resolve(m)
      }
    }
    this.socket.on('data', onData)
    this.socket.on('error', (err) => this.fail(new DBusError(`session bus: ${err.message}`, 'disconnected')))
    this.socket.on('close', () => this.fail(new DBusError('the session bus closed the connection', 'disconnected')))
    if (first.length) onData(first)
  }

  private fail(err: DBusError): void {
    this.closed ??= err
    for (const waiter of this.pending.values()) waiter.reject(err)
    this.pending.clear()
    this.socket.destroy()
  }
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout()
      reject(new DBusError(`${what}: no answer within ${ms / 1000}s`, 'timeout'))
    }, ms)
  })
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer))
}
