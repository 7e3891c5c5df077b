import { createConnection } from 'node:net'
import { type Message, readLines, SILENCE_MS, send } from './wire.js'

/**
 * One request to the agent and its final answer (`wait` lines skipped), or undefined when nothing
 * answers there: no socket, refused, or silent for SILENCE_MS.
 */
export function callAgent(socket: string, message: Message): Promise<Message | undefined> {
  return new Promise((resolve) => {
    const s = createConnection(socket)
    let timer: NodeJS.Timeout | undefined
    let settled = false
    const finish = (m: Message | undefined) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      s.destroy()
      resolve(m)
    }
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => finish(undefined), SILENCE_MS)
    }
    arm()
    s.on('connect', () => send(s, message))
    s.on('error', () => finish(undefined))
    s.on('close', () => finish(undefined))
    readLines(
      s,
      (m) => (m.wait ? arm() : finish(m)),
      (reason) => finish({ error: reason }),
    )
  })
}
