import { appendFileSync } from 'node:fs'
import type { AwsCredentials } from '../aws/credentials.js'
import type { Logger } from '../runtime/types.js'
import { converse, usableSocket } from './conversation.js'
import type { AgentAnswer, Answerer, CredentialAgent } from './port.js'
import { type Message, type Question, SILENCE_MS } from './wire.js'

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
      const unsafe = (reason: string) => options.log.debug(`agent at ${options.socket}: not used: ${reason}`)
      if (!usableSocket(options.socket, options.uid, unsafe)) return undefined
      const outcome = await ask(options, { op: 'get', identity: options.identity, request }, answer)
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

function ask(options: SocketAgentOptions, request: Message, answer: Answerer): Promise<Outcome> {
  let answering = false
  return converse<Outcome>(
    options.socket,
    request,
    (m, turn) => {
      if (m.ok && typeof m.ok === 'object') return turn.finish({ kind: 'ok', answer: revive(m.ok as AgentAnswer) })
      if (m.ask && typeof m.ask === 'object') {
        answering = true
        turn.disarm()
        answer(m.ask as Question).then(
          (value) => {
            answering = false
            turn.send({ answer: value })
            turn.arm(SILENCE_MS)
          },
          (error) => turn.finish({ kind: 'thrown', error }),
        )
        return
      }
      if (m.wait) {
        if (!answering) turn.arm(SILENCE_MS)
        return
      }
      turn.finish({ kind: 'none', reason: typeof m.error === 'string' ? m.error : 'the agent passed' })
    },
    (reason) => ({ kind: 'none', reason }),
  )
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
