import { parentRequester } from '../audit/requester.js'
import { buildChildEnv, endpointVariable } from '../exec/child-env.js'
import { runChild } from '../exec/run-child.js'
import { credentialProcessJson, credentialVariables } from '../output/format.js'
import type { Runtime } from '../runtime/runtime.js'
import type { ServerKind } from '../server/start.js'
import { type ChainContext, providerFor } from '../vault/chain.js'
import type { AwsCredentials } from '../vault/credentials.js'
import type { ObtainStep } from '../vault/hand-out.js'
import { profileOrEnv } from './default-profile.js'
import {
  askAgent,
  type CredentialRequest,
  chainContext,
  getCredentials,
  loadProfile,
  refuseNested,
} from './get-credentials.js'

export interface ExecRequest extends Omit<CredentialRequest, 'profile'> {
  /** Omitted: AWS_PROFILE. */
  profile?: string
  command?: string
  args: string[]
  /** -j/--json: print credential_process JSON instead of running anything. */
  json: boolean
  /** --ecs-server / --ec2-server: serve refreshing credentials to the command instead of setting them. */
  server?: ServerKind
  /** --lazy: the server fetches on the first request instead of before the command starts. */
  lazy?: boolean
  /**
   * --profile-env: check that credentials can be had, then hand the command AWS_PROFILE instead of
   * keys (ByteNess aws-vault). Omitted (the fast path), AWS_VAULT_PROFILE_ENV decides.
   */
  profileEnv?: boolean
}

/** The variable behind --profile-env, declared once: exec.ts's flag and the fast path's fallback. */
export const PROFILE_ENV_VAR = 'AWS_VAULT_PROFILE_ENV'

/** oclif's reading of a boolean flag's variable (isTruthy). */
const truthy = (v: string | undefined) => ['1', 'true', 'y', 'yes'].includes((v ?? '').toLowerCase())

/** `vault exec`: runs the command (or $SHELL) with the profile's credentials; resolves its exit code. */
export async function execProfile(rt: Runtime, execReq: ExecRequest): Promise<number> {
  refuseNested(rt, 'exec')
  const req = { ...execReq, profile: profileOrEnv(rt, execReq.profile, 'exec') }
  if (req.server) return execWithServer(rt, req, req.server)
  const got = await getCredentials(rt, { ...req, forCredentialProcess: req.json })
  const { credentials, profile } = got
  if (req.json) {
    rt.streams.stdout.write(credentialProcessJson(credentials))
    await rt.handOuts.record({ ...got, kind: 'credential_process', requester: parentRequester() })
    return 0
  }
  if (req.profileEnv ?? truthy(rt.env[PROFILE_ENV_VAR])) {
    // The credentials were fetched (and cached) above, so a broken profile fails here, not in the child.
    rt.log.debug(`profile ${profile.name}: --profile-env: handing the command AWS_PROFILE=${profile.name}, not keys`)
    const region: Array<[string, string]> = profile.region
      ? [
          ['AWS_REGION', profile.region],
          ['AWS_DEFAULT_REGION', profile.region],
        ]
      : []
    const vars: Array<[string, string]> = [...region, ...endpointVariable(profile), ['AWS_PROFILE', profile.name]]
    return runCommand(rt, req, buildChildEnv(rt.env, profile.name, vars))
  }
  if (req.noSession && !credentials.sessionToken) {
    rt.streams.stderr.write(
      `vault: warning: handing long-lived access keys of "${profile.name}" to the command (--no-session)\n`,
    )
  }
  const vars = [...credentialVariables(credentials, profile.region), ...endpointVariable(profile)]
  return runCommand(rt, req, buildChildEnv(rt.env, profile.name, vars), (command, pid) => {
    void rt.handOuts.record({ ...got, kind: 'exec', requester: { argv0: command, pid } })
  })
}

/**
 * `vault exec --ecs-server|--ec2-server`: the command finds a local credential server through its
 * environment and holds no keys; the server stops when the command exits.
 */
async function execWithServer(rt: Runtime, req: ExecRequest & { profile: string }, kind: ServerKind): Promise<number> {
  // Loaded here, not at the top: plain exec is on the cache-hit fast path and must stay lean.
  const [
    { serverWindowSeconds, startCredentialServer },
    { SessionStore },
    { peerSocket },
    { peerRequester },
    { logSettings },
  ] = await Promise.all([
    import('../server/start.js'),
    import('../sessions/session-store.js'),
    import('../server/peer-uid.js'),
    import('../audit/requester.js'),
    import('../audit/settings.js'),
  ])
  const profile = await loadProfile(rt, req)
  // The chain is asked again on every refresh; its cache decorators refetch inside the expiry
  // window. Its MFA source lives as long as the server: -t answers once (AWS takes a code once),
  // then mfa_process, the terminal or a dialog. Built on the first fetch: --lazy touches nothing.
  let context: Promise<ChainContext> | undefined
  // The steps of each fetch, by access key id: the first response with those credentials names
  // them; later ones reuse what the server holds, and have none.
  const stepsOf = new Map<string, ObtainStep[]>()
  // Records still looking up their requester in /proc: written before vault exits.
  const pending = new Set<Promise<void>>()
  const server = await startCredentialServer({
    kind,
    profile,
    lazy: req.lazy ?? false,
    fetchProfile: async () => {
      const fromAgent = await askAgent(rt, profile, req, serverWindowSeconds(profile))
      if (fromAgent) return fromAgent.credentials
      context ??= chainContext(rt, profile, req, serverWindowSeconds(profile)).catch((err: unknown) => {
        context = undefined
        throw err
      })
      // A fresh look at the keychain each time: a server outlives many `vault exec` runs, and must
      // see the sessions they store (that is how a user hands a running server a new MFA code).
      const sessions = new SessionStore(await rt.store(), { logger: rt.log })
      const steps: ObtainStep[] = []
      const provider = await providerFor(profile, { ...(await context), sessions, trace: (s) => steps.push(s) })
      rt.log.debug(`profile ${profile.name}: server credentials from ${provider.description}`)
      const creds = await provider.retrieve()
      stepsOf.set(creds.accessKeyId, steps)
      return creds
    },
    // With the log off, no client is looked up in /proc, and no reply waits for one.
    handOuts: logSettings(rt.env, rt.homedir).settings && {
      identify: (connection) => peerRequester(connection, { socketOf: (c) => peerSocket(c) }),
      record: (credentials: AwsCredentials, requester) => {
        const steps = stepsOf.get(credentials.accessKeyId) ?? []
        stepsOf.delete(credentials.accessKeyId)
        const recorded = Promise.resolve(
          rt.handOuts.record({ kind: `${kind}-server`, profile, credentials, steps, servedBy: 'direct', requester }),
        ).finally(() => pending.delete(recorded))
        pending.add(recorded)
      },
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
    const env = buildChildEnv(rt.env, profile.name, [...region, ...endpointVariable(profile), ...server.variables])
    for (const name of server.unset ?? []) delete env[name]
    return await runCommand(rt, req, env)
  } finally {
    await server.close()
    await Promise.all(pending)
  }
}

async function runCommand(
  rt: Runtime,
  req: ExecRequest,
  env: Record<string, string>,
  onSpawn?: (command: string, pid: number) => void,
): Promise<number> {
  let command = req.command
  let args = req.args
  if (!command) {
    command = subshell(rt.env, rt.platform)
    args = []
    const hint = `starting ${command} with credentials for "${env.AWS_VAULT}"; type exit to leave it`
    // aws-vault cli/exec.go: AWS_VAULT_DISABLE_HELP_MESSAGE=1 (exactly) moves its subshell notice to the debug log.
    if (rt.env.AWS_VAULT_DISABLE_HELP_MESSAGE === '1') rt.log.debug(hint)
    else rt.streams.stderr.write(`vault: ${hint}\n`)
  }
  rt.log.debug(`exec ${command} with ${args.length} argument(s)`)
  const started = command
  return runChild(command, args, env, onSpawn && ((pid) => onSpawn(started, pid)))
}

/** The shell `vault exec PROFILE` starts with no command: $SHELL, else cmd.exe on Windows, else /bin/sh. */
export function subshell(env: Runtime['env'], platform: NodeJS.Platform): string {
  return env.SHELL || (platform === 'win32' ? 'cmd.exe' : '/bin/sh')
}
