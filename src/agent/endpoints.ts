/**
 * `vault agent serve`: ECS-style endpoints owned by the agent, so they outlive the terminal that
 * asked for them. Each has its own token; each serves the profile through the agent's holder, so
 * background refresh and single-flight apply, and a code it needs is a notification, not a prompt.
 */
import { CredentialCache } from '../server/credential-cache.js'
import { type CredentialServer, startEcsServer } from '../server/ecs-server.js'
import { servedCredentials } from '../server/served-credentials.js'
import { serverWindowSeconds } from '../server/start.js'
import { roleSessionName } from '../vault/role-session-name.js'
import { stsTarget } from '../vault/sts-target.js'
import { cannotAsk } from './flights.js'
import type { Holder, HolderRuntime } from './holder.js'
import type { AgentRequest } from './port.js'
import type { Message } from './wire.js'

interface Endpoint {
  profile: string
  url: string
  server: CredentialServer
}

export class Endpoints {
  private readonly open = new Map<string, Endpoint>()

  constructor(
    private readonly holder: Holder,
    private readonly rt: Pick<HolderRuntime, 'log' | 'handOuts'>,
  ) {}

  /** The agent's answer to `serve` and `serve-stop`, or undefined for any other request. */
  handle(m: Message): Promise<Message> | undefined {
    if (m.op === 'serve') return this.serve(m)
    if (m.op === 'serve-stop') return this.stop(String(m.which ?? ''))
    return undefined
  }

  list(): Array<{ profile: string; url: string }> {
    return [...this.open.values()].map(({ profile, url }) => ({ profile, url }))
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()]
    this.open.clear()
    await Promise.all(all.map((e) => e.server.close()))
  }

  private async serve(m: Message): Promise<Message> {
    if (m.identity !== this.holder.identity) return { error: 'the agent serves another store' }
    const request = m.request as AgentRequest | undefined
    if (!request?.profile?.name || !request.env) return { error: 'malformed serve request' }
    const bind = typeof m.bind === 'string' && m.bind !== '' ? m.bind : undefined
    const port = typeof m.port === 'number' ? m.port : undefined
    const rt = this.holder.runtime
    const profile = request.profile
    const asked: AgentRequest = { ...request, noSession: false, windowSeconds: serverWindowSeconds(profile) }
    const fetchProfile = async () => {
      const answer = await this.holder.obtainShared(asked, cannotAsk)
      await this.rt.handOuts.record({
        kind: 'agent-serve',
        profile,
        credentials: answer.credentials,
        steps: answer.steps,
        servedBy: 'agent',
        requester: {},
      })
      return answer.credentials
    }
    // The holder is the profile's cache (its window, its background refresh): each request asks
    // it, so the endpoint hands out what the agent renewed. Roles asked through /role-arn/ are
    // cached here, as in vault exec --ecs-server.
    const cache = new CredentialCache({ clock: rt.clock, log: rt.log, windowSeconds: asked.windowSeconds })
    const roles = servedCredentials(cache, fetchProfile, {
      sts: rt.stsFactory,
      target: stsTarget(profile, request.env),
      roleSessionName: roleSessionName(profile.roleSessionName, request.env),
      durationSeconds: profile.assumeRoleDuration,
      log: rt.log,
    })
    await fetchProfile()
    const server = await startEcsServer(
      { profile: fetchProfile, role: (arn) => roles.role(arn) },
      { name: `agent endpoint for ${profile.name}`, log: rt.log, warn: (m) => rt.log.debug(`agent: ${m}`), bind, port },
    )
    this.open.set(server.url, { profile: profile.name, url: server.url, server })
    return { ok: { url: server.url, variables: server.variables } }
  }

  private async stop(which: string): Promise<Message> {
    const gone = [...this.open.values()].filter((e) => e.url === which || e.profile === which)
    for (const e of gone) {
      this.open.delete(e.url)
      await e.server.close()
    }
    return gone.length ? { ok: { stopped: gone.map((e) => e.url) } } : { error: `no endpoint for ${which}` }
  }
}
