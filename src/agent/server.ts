import { chmodSync, unlinkSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { acquireFileLock, type Release } from '../lock/file-lock.js'
import type { Logger } from '../runtime/types.js'
import { serveArgv } from './argv-request.js'
import { type Asker, CannotAsk } from './flights.js'
import type { Holder } from './holder.js'
import type { AgentRequest } from './port.js'
import { HEARTBEAT_MS, type Message, type Question, readLines, send } from './wire.js'

/** A connection that has not sent its request by then is closed. */
const REQUEST_MS = 10_000
/** How long the agent waits for a client to answer a question before it asks the next client. */
const ANSWER_MS = 180_000

export interface AgentServer {
  socket: string
  close(): Promise<void>
  /** Resolves when `stop` was asked, or close() called. */
  closed: Promise<void>
}

export interface AgentServerOptions {
  socket: string
  holder: Holder
  log: Logger
  /** Extra operations (serve endpoints): answer a message, or undefined when not theirs. */
  extra?: (message: Message) => Promise<Message> | undefined
  /** Added to `status`. */
  statusExtra?: () => Record<string, unknown>
}

/**
 * Listens on the socket, replacing a stale one (left by a killed agent) only after a connection
 * to it is refused, under a file lock, so two agents starting at once cannot take each other's.
 * Throws when another agent answers there.
 */
export async function listenAgent(o: AgentServerOptions): Promise<AgentServer> {
  const release = (await acquireFileLock({
    path: join(dirname(o.socket), 'agent.lock'),
    name: 'the agent socket',
    waitMs: 15_000,
    logger: o.log,
  })) as Release
  let server: Server
  try {
    if (await answers(o.socket)) throw new Error(`an agent already listens on ${o.socket}`)
    try {
      unlinkSync(o.socket)
    } catch {}
    server = createServer((socket) => handle(socket, o, stop))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(o.socket, () => resolve())
    })
    chmodSync(o.socket, 0o600)
  } finally {
    await release()
  }
  let done!: () => void
  const closed = new Promise<void>((resolve) => (done = resolve))
  const connections = new Set<Socket>()
  server.on('connection', (s) => {
    connections.add(s)
    s.on('close', () => connections.delete(s))
  })
  async function stop() {
    o.holder.close()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    for (const s of connections) s.destroy()
    done()
  }
  return { socket: o.socket, close: stop, closed }
}

/** True when something accepts connections on `path`. */
export function answers(path: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path)
    const timer = setTimeout(() => finish(true), timeoutMs)
    const finish = (v: boolean) => {
      clearTimeout(timer)
      s.destroy()
      resolve(v)
    }
    s.on('connect', () => finish(true))
    s.on('error', () => finish(false))
  })
}

function handle(socket: Socket, o: AgentServerOptions, stop: () => Promise<void>): void {
  let request: Message | undefined
  let pending: { resolve: (v: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined
  const idle = setTimeout(() => socket.destroy(), REQUEST_MS)
  socket.on('error', () => {})
  socket.on('close', () => {
    clearTimeout(idle)
    pending?.reject(new CannotAsk())
  })
  const reply = (m: Message) => {
    send(socket, m)
    socket.end()
  }
  const asker: Asker = {
    ask(question: Question) {
      if (socket.destroyed) return Promise.reject(new CannotAsk())
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new CannotAsk()), ANSWER_MS)
        pending = {
          resolve: (v) => {
            clearTimeout(timer)
            pending = undefined
            resolve(v)
          },
          reject: (e) => {
            clearTimeout(timer)
            pending = undefined
            reject(e)
          },
          timer,
        }
        send(socket, { ask: question })
      })
    },
  }
  readLines(
    socket,
    (m) => {
      if (request) {
        if (pending && typeof m.answer === 'string') pending.resolve(m.answer)
        else pending?.reject(new CannotAsk())
        return
      }
      request = m
      clearTimeout(idle)
      dispatch(m, socket, asker, o, stop).then(reply, (err: Error) => reply({ error: err.message }))
    },
    (reason) => reply({ error: reason }),
  )
}

async function dispatch(
  m: Message,
  socket: Socket,
  asker: Asker,
  o: AgentServerOptions,
  stop: () => Promise<void>,
): Promise<Message> {
  const heartbeat = setInterval(() => send(socket, { wait: 1 }), HEARTBEAT_MS)
  send(socket, { wait: 1 })
  try {
    switch (m.op) {
      case 'get': {
        if (m.identity !== o.holder.identity) return { pass: 'the agent serves another store' }
        const request = m.request as AgentRequest
        if (!isRequest(request)) return { error: 'malformed credentials request' }
        return { ok: await o.holder.obtainShared(request, asker) }
      }
      case 'argv':
        return await serveArgv(m, o.holder)
      case 'status':
        return { ok: { pid: process.pid, ...o.holder.status(), ...o.statusExtra?.() } }
      case 'lock':
        o.holder.forget()
        return { ok: {} }
      case 'stop':
        setImmediate(() => void stop())
        return { ok: {} }
      default: {
        const answer = o.extra?.(m)
        return answer ? await answer : { error: `unknown request ${JSON.stringify(String(m.op)).slice(0, 40)}` }
      }
    }
  } finally {
    clearInterval(heartbeat)
  }
}

function isRequest(r: AgentRequest | undefined): r is AgentRequest {
  return (
    !!r &&
    typeof r === 'object' &&
    typeof r.profile?.name === 'string' &&
    typeof r.noSession === 'boolean' &&
    typeof r.windowSeconds === 'number' &&
    !!r.env &&
    typeof r.env === 'object'
  )
}
