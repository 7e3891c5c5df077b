import { appendFileSync, existsSync } from 'node:fs'
import { createConnection } from 'node:net'
import { dirname } from 'node:path'
import type { AwsCredentials } from '../aws/credentials.js'
import type { Logger } from '../runtime/types.js'
import type { AgentAnswer, Answerer, CredentialAgent } from './port.js'
import { unsafeDirReason } from './socket-path.js'
import { FIRST_WORD_MS, type Message, type Question, readLines, SILENCE_MS, send } from './wire.js'

export interface SocketAgentOptions {
  socket: string
  /** storeIdentity() of this client: the agent serves only a client of its own store. */
  identity: string
  log: Logger
  /** VAULT_PATH_LOG: "agent" is appended when the agent served the request (tests tell the paths apart). */
  pathLog?: string
  /** This user's uid: the socket's directory must be theirs alone. */
  uid?: number
}

/**
 * The client side of the agent's socket. Every failure (no socket, refused, killed mid-request,
 * silent past the deadline, a garbled answer) resolves to undefined: the direct path follows.
 */
export function socketAgent(options: SocketAgentOptions): CredentialAgent {
  return {
    async credentials(request, answer) {
      if (!existsSync(options.socket)) return undefined
      // Whoever can write the directory could stand in for the agent and hand out anything.
      const unsafe = options.uid === undefined ? undefined : unsafeDirReason(dirname(options.socket), options.uid)
      if (unsafe) {
        options.log.debug(`agent at ${options.socket}: not used: ${unsafe}`)
        return undefined
      }
      const outcome = await converse(options, { op: 'get', identity: options.identity, request }, answer)
      if (outcome.kind === 'thrown') throw outcome.error
      if (outcome.kind !== 'ok') {
        options.log.debug(`agent at ${options.socket}: ${outcome.reason}; taking the direct path`)
        return undefined
      }
      if (options.pathLog) appendFileSync(options.pathLog, 'agent\n')
      return outcome.answer
    },
  }
}

type Outcome =
  | { kind: 'ok'; answer: AgentAnswer }
  | { kind: 'none'; reason: string }
  | { kind: 'thrown'; error: unknown }

function converse(options: SocketAgentOptions, request: Message, answer: Answerer): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = createConnection(options.socket)
    let settled = false
    let answering = false
    let timer: NodeJS.Timeout | undefined
    const arm = (ms: number) => {
      clearTimeout(timer)
      timer = setTimeout(() => finish({ kind: 'none', reason: `no answer within ${ms} ms` }), ms)
    }
    const finish = (outcome: Outcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(outcome)
    }
    arm(FIRST_WORD_MS)
    socket.on('connect', () => send(socket, request))
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ kind: 'none', reason: err.code ?? err.message }))
    socket.on('close', () => finish({ kind: 'none', reason: 'the agent closed the connection' }))
    readLines(
      socket,
      (m) => {
        if (m.ok && typeof m.ok === 'object') return finish({ kind: 'ok', answer: revive(m.ok as AgentAnswer) })
        if (m.ask && typeof m.ask === 'object') {
          answering = true
          clearTimeout(timer)
          answer(m.ask as Question).then(
            (value) => {
              answering = false
              send(socket, { answer: value })
              arm(SILENCE_MS)
            },
            (error) => finish({ kind: 'thrown', error }),
          )
          return
        }
        if (m.wait) {
          if (!answering) arm(SILENCE_MS)
          return
        }
        finish({ kind: 'none', reason: typeof m.error === 'string' ? m.error : 'the agent passed' })
      },
      (reason) => finish({ kind: 'none', reason }),
    )
  })
}

function revive(answer: AgentAnswer): AgentAnswer {
  const { expiration, ...rest } = answer.credentials as Omit<AwsCredentials, 'expiration'> & { expiration?: string }
  return {
    steps: answer.steps ?? [],
    warnings: answer.warnings ?? [],
    // Long-term keys have no expiration key at all, as on the direct path.
    credentials: expiration === undefined ? rest : { ...rest, expiration: new Date(expiration) },
  }
}
