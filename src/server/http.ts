import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { AwsCredentials } from '../aws/credentials.js'
import { VaultError } from '../errors.js'
import { printable } from '../output/printable.js'
import type { Clock, Logger } from '../runtime/types.js'
import type { Requester } from '../vault/hand-out.js'
import { type Connection, ownerOnly, type PeerCheck } from './peer-uid.js'
import { limitedWarn } from './warn-limit.js'

export interface Request {
  method: string
  /** The path without the query string. */
  path: string
  headers: IncomingHttpHeaders
  remoteAddress?: string
}

export interface Reply {
  status: number
  body: string
  contentType: 'application/json' | 'text/plain'
  headers?: Record<string, string>
  /** Added to the --debug line, e.g. "IMDSv2". Never a secret. */
  note?: string
  /** The credentials this reply hands out, for the hand-out log; never sent as such. */
  handedOut?: AwsCredentials
}

export type Handler = (req: Request) => Reply | Promise<Reply>

export interface ServerOptions {
  /** For log lines: "ecs server", "ec2 server". */
  name: string
  log: Logger
  /** Tells the user (on stderr) that a request failed, whether or not --debug is on. */
  warn(message: string): void
  /** Who may connect; by default only the user running vault (on Linux, see peer-uid.ts). */
  peer?: PeerCheck
  /** For rate-limiting warnings about refused requests; the system clock by default. */
  clock?: Clock
  /** The hand-out log: told of each reply that hands out credentials, and who the client is. */
  handOuts?: ServerHandOuts
  /**
   * `vault agent serve --bind`: a non-loopback address (a bridge a container reaches). Then the
   * loopback and owner checks cannot apply (the peer is another machine or network namespace):
   * the Authorization token alone guards it, and the Host header must name this address.
   */
  bind?: string
  /** A fixed port; default: one the OS picks. */
  port?: number
}

export interface ServerHandOuts {
  /**
   * Who holds the client end (/proc on Linux). Asked as the connection is accepted: a client may
   * close as soon as it has its reply, and its socket is gone from /proc with it.
   */
  identify(c: Connection): Promise<Requester>
  record(credentials: AwsCredentials, requester: Requester): void
}

/**
 * A reply waits at most this long for the client's identity (the record then says what is known):
 * well inside botocore's 1-second IMDS timeout.
 */
const identifyDeadlineMs = 400

export interface RunningServer {
  port: number
  /** http://127.0.0.1:PORT/ */
  url: string
  close(): Promise<void>
}

export const json = (status: number, value: unknown, extra: Partial<Reply> = {}): Reply => ({
  status,
  body: JSON.stringify(value),
  contentType: 'application/json',
  ...extra,
})

export const text = (status: number, body: string, extra: Partial<Reply> = {}): Reply => ({
  status,
  body,
  contentType: 'text/plain',
  ...extra,
})

/** The message a failed request gets: the same words vault would print, never a secret. */
export function failureMessage(err: unknown): string {
  if (err instanceof VaultError) return `${err.message}${err.hint ? `; ${err.hint}` : ''}`
  return `unexpected error: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  return address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address)
}

/**
 * Why a request is refused before it reaches a handler, or undefined. Only this machine may ask,
 * and only by the address vault gave out: a Host header naming another site is a web page using
 * DNS rebinding to reach the loopback port through the browser.
 */
export function refusal(req: Pick<Request, 'headers' | 'remoteAddress'>, port: number): string | undefined {
  if (!isLoopback(req.remoteAddress)) return 'requests are accepted from this machine only'
  const host = req.headers.host?.toLowerCase()
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
    return `unexpected Host header; use http://127.0.0.1:${port}/`
  return undefined
}

/** On a --bind address: only requests that name it (a DNS-rebinding page names another host). */
function hostRefusal(req: Pick<Request, 'headers'>, bind: string, port: number): string | undefined {
  return req.headers.host?.toLowerCase() === `${bind}:${port}`
    ? undefined
    : `unexpected Host header; use http://${bind}:${port}/`
}

/** Serves `handler` on 127.0.0.1, on a port the OS picks, behind `refusal` and the peer check. */
export function listenOnLoopback(handler: Handler, o: ServerOptions): Promise<RunningServer> {
  let port = 0
  const peerCheck = o.peer ?? ownerOnly()
  const warnRefused = limitedWarn(o.warn, o.clock ?? { now: () => new Date() }, o.name)
  // Looked up once per connection, as soon as it is accepted: keep-alive requests reuse it.
  const peers = new WeakMap<Socket, Promise<string | undefined>>()
  const peerRefusal = (socket: Socket) => {
    let verdict = peers.get(socket)
    if (!verdict) {
      verdict = peerCheck(socket).catch(() => 'could not tell which user opened this connection; refused')
      peers.set(socket, verdict)
    }
    return verdict
  }
  const server = createServer((req, res) => {
    const start = o.log.enabled ? performance.now() : 0
    const path = (req.url ?? '/').split('?')[0] as string
    const request: Request = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress,
    }
    const send = (reply: Reply) => {
      res.writeHead(reply.status, {
        ...reply.headers,
        'Content-Type': reply.contentType,
        'Content-Length': Buffer.byteLength(reply.body),
      })
      res.end(reply.body)
      if (o.log.enabled) {
        const ms = (performance.now() - start).toFixed(1)
        o.log.debug(
          `${o.name}: ${request.method} ${printablePath(path)} ${reply.status}${reply.note ? ` ${reply.note}` : ''} (${ms} ms)`,
        )
      }
    }
    const refused = o.bind ? hostRefusal(request, o.bind, port) : refusal(request, port)
    if (refused) return send(json(403, { Message: refused }))
    ;(o.bind ? Promise.resolve(undefined) : peerRefusal(req.socket))
      .then((stranger) => {
        if (!stranger) return Promise.resolve(handler(request)).then((reply) => recorded(reply, req.socket))
        warnRefused(`${o.name}: refused ${request.method} ${printablePath(path)}: ${stranger}`)
        return json(403, { Message: stranger })
      })
      .then(send, (err: unknown) => {
        const message = failureMessage(err)
        o.warn(`${o.name}: ${request.method} ${printablePath(path)} failed: ${message}`)
        send(json(500, { Message: message }))
      })
      // The client may be gone by the time the reply is ready; there is no one left to tell.
      .catch(() => {})
  })
  // Looked up once per connection too, as it is accepted (see ServerHandOuts.identify).
  const identities = new WeakMap<Socket, Promise<Requester>>()
  const identity = (socket: Socket) => {
    let who = identities.get(socket)
    if (!who && o.handOuts) {
      who = o.handOuts.identify(socket).catch(() => ({}))
      identities.set(socket, who)
    }
    return who ?? Promise.resolve({})
  }
  const recorded = async (reply: Reply, socket: Socket): Promise<Reply> => {
    if (!reply.handedOut || !o.handOuts) return reply
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<Requester>((done) => {
      timer = setTimeout(() => done({}), identifyDeadlineMs)
    })
    const who = await Promise.race([identity(socket), late])
    clearTimeout(timer)
    o.handOuts.record(reply.handedOut, who)
    return reply
  }
  server.on('connection', (socket) => {
    // A bound server (vault agent serve --bind) serves another network: no owner check there.
    if (!o.bind) void peerRefusal(socket)
    void identity(socket)
  })
  const host = o.bind ?? '127.0.0.1'
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, host, () => {
      port = (server.address() as AddressInfo).port
      o.log.debug(`${o.name}: listening on http://${host}:${port}/`)
      resolve({
        port,
        url: `http://${host}:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            warnRefused.flush()
            server.close(() => done())
            server.closeAllConnections()
          }),
      })
    })
  })
}

/** Paths come from the client: keep log lines one line and short. */
function printablePath(path: string): string {
  return printable(path).slice(0, 200)
}
