/**
 * The agent's protocol: newline-delimited JSON on a Unix socket, one object a line, each line at
 * most MAX_LINE bytes. A client sends one request; the agent may send `wait` (still working) and
 * `ask` (a question for the user) lines before the final answer, and the client answers each ask.
 * Node built-ins only: the fast path's client bundles this file.
 */
import type { Socket } from 'node:net'

/** The most a line may carry, either way. A longer one is refused and the connection closed. */
export const MAX_LINE = 64 * 1024

/** How often the agent says it is still working; a client gives up after a few silent ones. */
export const HEARTBEAT_MS = 1000

/** How long a client waits for the agent's first word before it takes the direct path. */
export const FIRST_WORD_MS = 3000

/** A client that hears nothing for this long takes the direct path. */
export const SILENCE_MS = 5000

/** A question only the user can answer, asked through the client that is waiting for the answer. */
export type Question = { need: 'mfa'; serial: string; profile: string } | { need: 'passphrase'; dir: string }

export type Message = Record<string, unknown>

/**
 * Calls `onLine` with each JSON object read from `socket`, and `onFault` once when a line is too
 * long or not a JSON object; nothing more is read after a fault.
 */
export function readLines(socket: Socket, onLine: (m: Message) => void, onFault: (reason: string) => void): void {
  let buffered = ''
  let broken = false
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    if (broken) return
    buffered += chunk
    for (;;) {
      const nl = buffered.indexOf('\n')
      if (nl < 0) break
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (Buffer.byteLength(line) > MAX_LINE) return fault(`request longer than ${MAX_LINE} bytes`)
      let parsed: unknown
      try {
        parsed = JSON.parse(line)
      } catch {
        return fault('request is not JSON')
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return fault('request is not a JSON object')
      onLine(parsed as Message)
      if (broken) return
    }
    if (Buffer.byteLength(buffered) > MAX_LINE) fault(`request longer than ${MAX_LINE} bytes`)
  })
  function fault(reason: string) {
    broken = true
    buffered = ''
    onFault(reason)
  }
}

/** Writes one line; false when the socket is already gone. */
export function send(socket: Socket, message: Message): boolean {
  if (socket.destroyed || !socket.writable) return false
  socket.write(`${JSON.stringify(message)}\n`)
  return true
}
