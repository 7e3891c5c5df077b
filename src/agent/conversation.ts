/**
 * One request on the agent's socket, from the client's side: connect, send the request, read the
 * agent's lines under a deadline, and settle once. Shared by the full CLI's client (client.ts) and
 * the fast path's (fast-client.ts, bundled alone into dist/fast-bundle/agent-client.cjs), so Node
 * built-ins and wire.ts only.
 */
import { existsSync } from 'node:fs'
import { createConnection } from 'node:net'
import { dirname } from 'node:path'
import { unsafeDirReason } from './socket-path.js'
import { FIRST_WORD_MS, type Message, readLines, send } from './wire.js'

/** What a client's line handler may do with the conversation. */
export interface Turn<T> {
  /** Ends the conversation with `result` and closes the socket; only the first end counts. */
  finish(result: T): void
  /** Restarts the deadline: nothing heard within `ms` ends the conversation as `lost` says. */
  arm(ms: number): void
  /** Stops the deadline, while the user answers a question the agent asked. */
  disarm(): void
  /** Writes one line to the agent; false when the socket is already gone. */
  send(message: Message): boolean
}

/**
 * Whether the agent at `socket` may be asked: something is there, and, given this user's `uid`,
 * its directory is this user's alone, since whoever can write the directory could stand in for the
 * agent and hand out anything. `unsafe` hears why a socket that is there is not used.
 */
export function usableSocket(socket: string, uid: number | undefined, unsafe?: (reason: string) => void): boolean {
  if (!existsSync(socket)) return false
  const reason = uid === undefined ? undefined : unsafeDirReason(dirname(socket), uid)
  if (reason) unsafe?.(reason)
  return reason === undefined
}

/**
 * Sends `request` to the agent at `socket` and resolves to what `onLine` finishes with. Every
 * failure (refused, closed, killed mid-request, silent past the deadline, a garbled or overlong
 * line) resolves to `lost(reason)`. The first word must come within FIRST_WORD_MS.
 */
export function converse<T>(
  socket: string,
  request: Message,
  onLine: (message: Message, turn: Turn<T>) => void,
  lost: (reason: string) => T,
): Promise<T> {
  return new Promise((resolve) => {
    const s = createConnection(socket)
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const turn: Turn<T> = {
      finish(result) {
        if (settled) return
        settled = true
        clearTimeout(timer)
        s.destroy()
        resolve(result)
      },
      arm(ms) {
        clearTimeout(timer)
        timer = setTimeout(() => turn.finish(lost(`no answer within ${ms} ms`)), ms)
      },
      disarm: () => clearTimeout(timer),
      send: (message) => send(s, message),
    }
    turn.arm(FIRST_WORD_MS)
    s.on('connect', () => send(s, request))
    s.on('error', (err: NodeJS.ErrnoException) => turn.finish(lost(err.code ?? err.message)))
    s.on('close', () => turn.finish(lost('the agent closed the connection')))
    readLines(
      s,
      (m) => onLine(m, turn),
      (reason) => turn.finish(lost(reason)),
    )
  })
}
