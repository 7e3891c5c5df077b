import { callAgent } from '../agent/control.js'
import { clientEnv, storeIdentity } from '../agent/port.js'
import { UsageError, VaultError } from '../errors.js'
import { isLoopback } from '../server/http.js'
import { serverWindowSeconds } from '../server/start.js'
import type { RuntimeOptions } from '../stores/store-settings.js'
import { socketOf } from './agent.js'
import { type GetCredentialsDeps, getCredentials } from './get-credentials.js'
import type { Ports } from './ports.js'

export interface ServeRequest {
  profile: string
  options: RuntimeOptions
  /** --bind: a non-loopback address; the token stays mandatory. */
  bind?: string
  port?: number
  mfaToken?: string
}

const noAgent = () =>
  new VaultError(
    'no agent is running, and an endpoint needs one to outlive this command',
    'run: eval "$(vault agent start)"',
  )

/**
 * `vault agent serve PROFILE`: the agent opens an ECS-style endpoint for the profile. Any code
 * or passphrase is asked here first (through the agent), so the endpoint starts with what it
 * needs. Returns the lines a container needs (for `docker run --env-file`).
 */
export async function serveProfile(rt: GetCredentialsDeps, req: ServeRequest): Promise<string> {
  const socket = socketOf(rt)
  if (!(await callAgent(socket, { op: 'status' }))) throw noAgent()
  const first = await getCredentials(rt, { profile: req.profile, noSession: false, mfaToken: req.mfaToken })
  if (first.servedBy !== 'agent')
    throw new VaultError(
      'the agent did not serve this profile (it runs on another store or HOME)',
      'start the agent from this environment: vault agent stop; eval "$(vault agent start)"',
    )
  if (req.bind && !isLoopback(req.bind)) {
    rt.streams.stderr.write(
      `vault: WARNING: serving profile ${first.profile.name} on ${req.bind}, reachable beyond this machine's loopback: anyone there who has the token gets its credentials\n`,
    )
  }
  const answer = await callAgent(socket, {
    op: 'serve',
    identity: storeIdentity(req.options, rt.env, rt.homedir),
    request: {
      profile: first.profile,
      noSession: false,
      windowSeconds: serverWindowSeconds(first.profile),
      env: clientEnv(rt.env),
    },
    bind: req.bind,
    port: req.port,
  })
  if (!answer) throw noAgent()
  const ok = answer.ok as { variables?: Array<[string, string]> } | undefined
  if (!ok?.variables)
    throw new VaultError(`the agent could not serve profile ${first.profile.name}: ${String(answer.error)}`)
  return ok.variables.map(([k, v]) => `${k}=${v}\n`).join('')
}

/** `vault agent serve --stop PROFILE|URL`. */
export async function stopServing(rt: Pick<Ports, 'env' | 'homedir'>, which: string): Promise<string[]> {
  const answer = await callAgent(socketOf(rt), { op: 'serve-stop', which })
  if (!answer) throw noAgent()
  const ok = answer.ok as { stopped?: string[] } | undefined
  if (!ok?.stopped)
    throw new UsageError(`the agent serves no endpoint for ${which}`, 'see them with: vault agent status')
  return ok.stopped
}
