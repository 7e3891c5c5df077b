import { buildChildEnv } from '../exec/child-env.js'
import { runChild } from '../exec/run-child.js'
import { credentialProcessJson, credentialVariables } from '../output/format.js'
import type { Runtime } from '../runtime/runtime.js'
import type { ServerKind } from '../server/start.js'
import { type ChainContext, providerFor } from '../vault/chain.js'
import { type CredentialRequest, chainContext, getCredentials, loadProfile, refuseNested } from './get-credentials.js'

export interface ExecRequest extends CredentialRequest {
  command?: string
  args: string[]
  /** -j/--json: print credential_process JSON instead of running anything. */
  json: boolean
  /** --ecs-server / --ec2-server: serve refreshing credentials to the command instead of setting them. */
  server?: ServerKind
  /** --lazy: the server fetches on the first request instead of before the command starts. */
  lazy?: boolean
}

/** `vault exec`: runs the command (or $SHELL) with the profile's credentials; resolves its exit code. */
export async function execProfile(rt: Runtime, req: ExecRequest): Promise<number> {
  refuseNested(rt, 'exec')
  if (req.server) return execWithServer(rt, req, req.server)
  const { credentials, profile } = await getCredentials(rt, { ...req, forCredentialProcess: req.json })
  if (req.json) {
    rt.streams.stdout.write(credentialProcessJson(credentials))
    return 0
  }
  if (req.noSession && !credentials.sessionToken) {
    rt.streams.stderr.write(
      `vault: warning: handing long-lived access keys of "${profile.name}" to the command (--no-session)\n`,
    )
  }
  return runCommand(rt, req, buildChildEnv(rt.env, profile.name, credentialVariables(credentials, profile.region)))
}

/**
 * `vault exec --ecs-server|--ec2-server`: the command finds a local credential server through its
 * environment and holds no keys; the server stops when the command exits.
 */
async function execWithServer(rt: Runtime, req: ExecRequest, kind: ServerKind): Promise<number> {
  // Loaded here, not at the top: plain exec is on the cache-hit fast path and must stay lean.
  const [{ serverWindowSeconds, startCredentialServer }, { SessionStore }] = await Promise.all([
    import('../server/start.js'),
    import('../stores/session-store.js'),
  ])
  const profile = await loadProfile(rt, req)
  // The chain is asked again on every refresh; its cache decorators refetch inside the expiry
  // window. Its MFA source lives as long as the server: -t answers once (AWS takes a code once),
  // then mfa_process, the terminal or a dialog. Built on the first fetch: --lazy touches nothing.
  let context: Promise<ChainContext> | undefined
  const server = await startCredentialServer({
    kind,
    profile,
    lazy: req.lazy ?? false,
    fetchProfile: async () => {
      context ??= chainContext(rt, profile, req, serverWindowSeconds(profile)).catch((err: unknown) => {
        context = undefined
        throw err
      })
      // A fresh look at the keychain each time: a server outlives many `vault exec` runs, and must
      // see the sessions they store (that is how a user hands a running server a new MFA code).
      const sessions = new SessionStore(await rt.store(), { logger: rt.log })
      const provider = await providerFor(profile, { ...(await context), sessions })
      rt.log.debug(`profile ${profile.name}: server credentials from ${provider.description}`)
      return provider.retrieve()
    },
    sts: rt.stsFactory,
    env: rt.env,
    clock: rt.clock,
    log: rt.log,
    warn: (message) => rt.streams.stderr.write(`vault: ${message}\n`),
  })
  try {
    const region: Array<[string, string]> = profile.region
      ? [
          ['AWS_REGION', profile.region],
          ['AWS_DEFAULT_REGION', profile.region],
        ]
      : []
    const env = buildChildEnv(rt.env, profile.name, [...region, ...server.variables])
    for (const name of server.unset ?? []) delete env[name]
    return await runCommand(rt, req, env)
  } finally {
    await server.close()
  }
}

async function runCommand(rt: Runtime, req: ExecRequest, env: Record<string, string>): Promise<number> {
  let command = req.command
  let args = req.args
  if (!command) {
    command = rt.env.SHELL || (rt.platform === 'win32' ? 'cmd.exe' : '/bin/sh')
    args = []
    rt.streams.stderr.write(
      `vault: starting ${command} with credentials for "${env.AWS_VAULT}"; type exit to leave it\n`,
    )
  }
  rt.log.debug(`exec ${command} with ${args.length} argument(s)`)
  return runChild(command, args, env)
}
