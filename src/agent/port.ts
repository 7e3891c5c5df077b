/**
 * The agent as vault's use cases see it: a port on the Runtime (`rt.agent`), so getCredentials
 * asks it first and tests can put a fake in its place. See src/vault/hand-out.ts.
 */

import type { AwsCredentials } from '../aws/credentials.js'
import type { ResolvedProfile } from '../config/types.js'
import type { Env } from '../runtime/types.js'
import type { StoreSettings } from '../stores/store-settings.js'
import type { ObtainStep } from '../vault/hand-out.js'
import type { Question } from './wire.js'

export type { Question }

/** One hand-out asked of the agent: the profile as this client resolved it, and how it is handed out. */
export interface AgentRequest {
  profile: ResolvedProfile
  noSession: boolean
  /** The expiry window, in seconds (handedOutWindow). */
  windowSeconds: number
  /** The client's environment, less its secrets (see clientEnv): the chain reads it as it would here. */
  env: Env
}

export interface AgentAnswer {
  credentials: AwsCredentials
  steps: ObtainStep[]
  /** `vault: warning: …` lines the chain raised, for the client to print as the direct path would. */
  warnings: string[]
}

/** Answers a question of the agent on this client's terminal or prompt driver; throws as the direct path would. */
export type Answerer = (question: Question) => Promise<string>

export interface CredentialAgent {
  /**
   * The credentials from the agent, or undefined when no agent runs, it does not answer in time,
   * it serves another store, or it fails: the caller then takes the direct path. An error thrown
   * by `answer` (a cancelled prompt, no terminal) is thrown from here, as the direct path would.
   */
  credentials(request: AgentRequest, answer: Answerer): Promise<AgentAnswer | undefined>
}

/** Variables never sent to the agent: secrets the chain does not read. */
const secretNames = new Set([
  'AWS_VAULT_FILE_PASSPHRASE',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
])

/** The client's environment as the agent gets it: without secrets, without unset entries. */
export function clientEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !secretNames.has(k)) out[k] = v
  return out
}

/**
 * Which store an agent or a client uses: an agent serves a client only when both say the same,
 * so a client on another backend, directory or D-Bus session never gets the agent's credentials.
 */
export function storeIdentity(options: { backend?: string; store?: StoreSettings }, env: Env, homedir: string): string {
  const store = Object.entries(options.store ?? {})
    .filter(([, v]) => v !== undefined && v !== '')
    .sort(([a], [b]) => a.localeCompare(b))
  return JSON.stringify({
    backend: options.backend ?? env.AWS_VAULT_BACKEND ?? '',
    store,
    home: homedir,
    dbus: env.DBUS_SESSION_BUS_ADDRESS ?? '',
  })
}
