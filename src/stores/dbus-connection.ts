import { createConnection, type Socket } from 'node:net'
import type { DBusValue } from './dbus-marshal.js'
import { decodeMessage, encodeMessage, type Message, MessageType, messageLength } from './dbus-wire.js'

/** An error reply (its D-Bus error name and message), or a failure of the bus itself. */
export class DBusError extends Error {
  constructor(
    message: string,
    /** e.g. org.freedesktop.DBus.Error.ServiceUnknown; 'timeout' or 'disconnected' for the connection's own. */
    readonly errorName: string,
  ) {
    super(message)
  }
}

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
 * hanging. Signals and calls addressed to us are ignored.
 */
export class DBusConnection {
  private serial = 0
  private pending = new Map<number, { resolve(m: Message): void; reject(e: Error): void }>()
  private inbox: Buffer = Buffer.alloc(0)
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
    const bytes = encodeMessage({ type: MessageType.MethodCall, flags: 0, serial, ...spec })
    const what = `${spec.interface}.${spec.member}`
    const reply = new Promise<Message>((resolve, reject) => {
      this.pending.set(serial, { resolve, reject })
      this.socket.write(bytes)
    })
    return withDeadline(reply, this.timeoutMs, what, () => this.pending.delete(serial)).then((m) => {
      if (m.type === MessageType.Error) {
        const text = typeof m.body[0] === 'string' ? m.body[0] : ''
        throw new DBusError(`${m.errorName}${text ? `: ${text}` : ''}`, m.errorName ?? 'unknown')
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
      this.inbox = this.inbox.length ? Buffer.concat([this.inbox, chunk]) : chunk
      for (;;) {
        const length = messageLength(this.inbox)
        if (length === undefined || this.inbox.length < length) return
        const bytes = this.inbox.subarray(0, length)
        this.inbox = this.inbox.subarray(length)
        let m: Message
        try {
          m = decodeMessage(bytes)
        } catch (err) {
          this.fail(new DBusError(`unreadable message from the session bus: ${(err as Error).message}`, 'protocol'))
          return
        }
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
