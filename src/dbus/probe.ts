import { createRequire } from 'node:module'
import type { Socket } from 'node:net'

/**
 * What a probe of the D-Bus session bus found:
 *   'answered'  the bus daemon answered the authentication request (whatever it said);
 *   'silent'    it accepted the connection but did not answer within the deadline (a stopped or
 *               wedged dbus-daemon: the kernel queues connections on a listening socket);
 *   'skipped'   no address Node can reach, or the connection failed at once (no daemon): the
 *               native module then reports its own, immediate error.
 */
export type BusProbe = 'answered' | 'silent' | 'skipped'

/**
 * Asks the session bus daemon to start authenticating, the first step of every D-Bus
 * connection, and waits at most `timeoutMs` for its answer. The native keyring module connects
 * on the JavaScript thread (in the AsyncEntry constructor) and libdbus waits for this very answer
 * without a timeout, so a stopped dbus-daemon would freeze vault for good; a silent bus found
 * here becomes a timeout error instead, before any native call is made.
 *
 * Costs one connection and one round trip to the bus daemon on a Unix socket.
 */
export async function probeSessionBus(
  path: string | undefined,
  timeoutMs: number,
  uid: number | undefined = process.getuid?.(),
): Promise<BusProbe> {
  if (path === undefined) return 'skipped'
  return new Promise<BusProbe>((resolve) => {
    let socket: Socket | undefined
    let settled = false
    const done = (result: BusProbe) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (result === 'answered' && socket) {
        // Closed a little later, off a cache hit's path: Socket#_destroy reads process.stderr,
        // which builds that stream (1 to 7 ms on a busy machine, the cost fdSink avoids). A
        // short-lived process exits first, which closes it.
        setTimeout(() => socket?.destroy(), 1000).unref()
      } else socket?.destroy()
      resolve(result)
    }
    // Neither the timer nor the socket keeps the process alive: a caller waiting for the answer
    // has a deadline of its own, and a probe nobody waits for must not delay the exit.
    const timer = setTimeout(() => done('silent'), timeoutMs).unref()
    try {
      // require, not import(): a dynamic import() starts the ESM loader in the fast-path bundle
      // (~10 ms), and a static import would load node:net before a cache hit needs it.
      const { createConnection } = createRequire(import.meta.url)('node:net') as typeof import('node:net')
      socket = createConnection(path).unref()
    } catch {
      return done('skipped')
    }
    socket.on('error', () => done('skipped'))
    // A NUL byte, then AUTH EXTERNAL with the uid in hex of its decimal digits (D-Bus
    // specification, "Authentication Protocol"); net sends it as soon as the socket connects.
    // Any answer line (OK, REJECTED) is life.
    socket.write(`\0AUTH EXTERNAL ${Buffer.from(String(uid ?? ''), 'ascii').toString('hex')}\r\n`)
    let answer = ''
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1')
      if (answer.includes('\r\n')) done('answered')
    })
    socket.on('end', () => done('skipped'))
  })
}
