import { clientEnv } from '../agent/port.js'
import type { AwsCredentials } from '../aws/credentials.js'
import { ConfigFile, configFilePath } from '../config/config-file.js'
import { warnPlaintextCredentials } from '../config/credentials-file.js'
import { resolveProfile } from '../config/resolve.js'
import type { ResolvedProfile } from '../config/types.js'
import { isVaultError, UsageError } from '../errors.js'
import type { MfaSource } from '../mfa/mfa-source.js'
import { selectMfaSource } from '../mfa/select.js'
import { printable } from '../output/printable.js'
import type { SsoContextDeps } from '../sso/sso-context.js'
import { ssoContext } from '../sso/sso-context.js'
import { type ChainContext, providerFor } from '../vault/chain.js'
import type { ObtainStep, ServedBy } from '../vault/hand-out.js'
import type { Ports } from './ports.js'

export interface CredentialRequest {
  profile: string
  region?: string
  /** Seconds. */
  duration?: number
  mfaToken?: string
  noSession: boolean
  /** SSO: show the login URL and code, but do not open a browser. */
  noBrowser?: boolean
  /** credential_process output gets at least a 15-minute window: botocore refreshes inside it. */
  forCredentialProcess?: boolean
}

export interface CredentialResult {
  credentials: AwsCredentials
  profile: ResolvedProfile
  /** How they were obtained, in order (src/vault/hand-out.ts). */
  steps: ObtainStep[]
  /** Which path served them: the agent, or this process. */
  servedBy: ServedBy
}

/** What picking an MFA source reads: -t, the prompt driver, the terminal. */
export type MfaDeps = Pick<Ports, 'promptDriver' | 'env' | 'hasTerminal' | 'platform' | 'log'>

/** What asking a running agent uses (it may ask back for a code or the passphrase). */
export type AgentDeps = MfaDeps & Pick<Ports, 'agent' | 'passphrase' | 'streams'>

/** What reading ~/.aws/config and resolving one profile uses (the keys: `vault add` before the section). */
export type LoadProfileDeps = Pick<Ports, 'env' | 'homedir' | 'log' | 'keys'>

/** What the credential chain is built from. */
export type ChainDeps = MfaDeps &
  SsoContextDeps &
  Pick<Ports, 'keys' | 'sessions' | 'stsFactory' | 'clock' | 'lock' | 'streams'>

export type GetCredentialsDeps = LoadProfileDeps & AgentDeps & ChainDeps

/** botocore refetches credential_process output when less than 15 minutes are left. */
const credentialProcessWindow = 15 * 60

/** Refuse to run inside `vault exec`: the child already has credentials, and nesting hides which. */
export function refuseNested(rt: Pick<Ports, 'env'>, command: string): void {
  const current = rt.env.AWS_VAULT
  if (current) {
    throw new UsageError(
      `already inside a vault exec session for profile "${current}" (AWS_VAULT is set)`,
      `exit that shell first, or force it with: env -u AWS_VAULT vault ${command} …`,
    )
  }
}

/**
 * The expiry window for the credentials handed out: AWS_MIN_TTL, or at least 15 minutes when they
 * are printed as credential_process output (export --format json, exec --json), because botocore
 * fetches again when less than 15 minutes are left: a shorter window would hand it credentials
 * it refreshes at once, on every call.
 */
export function handedOutWindow(profile: Pick<ResolvedProfile, 'minTtl'>, forCredentialProcess = false): number {
  return forCredentialProcess ? Math.max(profile.minTtl, credentialProcessWindow) : profile.minTtl
}

/** Resolves the profile and returns its credentials through the credential chain. */
export async function getCredentials(rt: GetCredentialsDeps, req: CredentialRequest): Promise<CredentialResult> {
  const profile = await loadProfile(rt, req)
  const windowSeconds = handedOutWindow(profile, req.forCredentialProcess)
  const fromAgent = await askAgent(rt, profile, req, windowSeconds)
  if (fromAgent) return fromAgent
  // Warnings wait until the outcome is known: the fast path gives up on a cache miss and the full
  // CLI runs this again, which must not print them twice. A VaultError still shows them.
  const warnings: string[] = []
  const flush = () => {
    for (const w of new Set(warnings)) rt.streams.stderr.write(`vault: warning: ${printable(w)}\n`)
  }
  const steps: ObtainStep[] = []
  const ctx = {
    ...(await chainContext(rt, profile, req, windowSeconds)),
    warn: (m: string) => warnings.push(m),
    trace: (step: ObtainStep) => steps.push(step),
  }
  try {
    const provider = await providerFor(profile, ctx)
    rt.log.debug(`profile ${profile.name}: credentials from ${provider.description}`)
    const credentials = await provider.retrieve()
    flush()
    return { credentials, profile, steps, servedBy: 'direct' }
  } catch (err) {
    if (isVaultError(err)) flush()
    throw err
  }
}

/**
 * The agent's answer when one runs and answers (src/agent/): its credentials, with the questions
 * it asks (MFA code, passphrase) answered here, on this process's terminal or prompt driver, as
 * the direct path would ask them. Undefined: take the direct path.
 */
export async function askAgent(
  rt: AgentDeps,
  profile: ResolvedProfile,
  req: Pick<CredentialRequest, 'mfaToken' | 'noSession'>,
  windowSeconds: number,
): Promise<CredentialResult | undefined> {
  if (!rt.agent) return undefined
  const mfa = mfaSourceFor(rt, profile, req)
  const answer = await rt.agent.credentials(
    { profile, noSession: req.noSession, windowSeconds, env: clientEnv(rt.env) },
    (q) => (q.need === 'mfa' ? mfa({ serial: q.serial, profile: q.profile }) : rt.passphrase(q.dir)),
  )
  if (!answer) return undefined
  rt.log.debug(`profile ${profile.name}: credentials from the agent`)
  for (const w of new Set(answer.warnings)) rt.streams.stderr.write(`vault: warning: ${w}\n`)
  return { credentials: answer.credentials, profile, steps: answer.steps, servedBy: 'agent' }
}

/** Reads ~/.aws/config and resolves the requested profile, with the flags as overrides. */
export async function loadProfile(
  rt: LoadProfileDeps,
  req: Pick<CredentialRequest, 'profile' | 'region' | 'duration'>,
): Promise<ResolvedProfile> {
  const config = await ConfigFile.load(configFilePath(rt.env, rt.homedir), rt.log)
  // A profile with no section is an error (aws-vault silently falls through to [default]),
  // unless vault holds keys for it: `vault add foo` works before [profile foo] exists.
  const allowMissing =
    req.profile !== 'default' &&
    !config.hasProfile(req.profile) &&
    (await (await rt.keys()).has(req.profile, { confirm: true }))
  const profile = resolveProfile(config, req.profile, {
    env: rt.env,
    overrides: { region: req.region, duration: req.duration },
    log: rt.log,
    allowMissing,
  })
  await warnPlaintextCredentials(req.profile, { env: rt.env, homedir: rt.homedir, log: rt.log })
  return profile
}

/** What the credential chain needs for `profile`, built from the runtime (also used by login and rotate). */
export async function chainContext(
  rt: ChainDeps,
  profile: ResolvedProfile,
  req: Pick<CredentialRequest, 'mfaToken' | 'noSession' | 'noBrowser'>,
  windowSeconds = profile.minTtl,
): Promise<ChainContext> {
  const warned = new Set<string>()
  return {
    keys: await rt.keys(),
    sessions: await rt.sessions(),
    sts: rt.stsFactory,
    mfa: mfaSourceFor(rt, profile, req),
    clock: rt.clock,
    log: rt.log,
    env: rt.env,
    lock: rt.lock,
    noSession: req.noSession,
    windowSeconds,
    warn: (message) => {
      if (warned.has(message)) return
      warned.add(message)
      rt.streams.stderr.write(`vault: warning: ${printable(message)}\n`)
    },
    sso: ssoContext(rt, { noBrowser: req.noBrowser }),
  }
}

/** Where MFA codes come from for `profile`: -t, mfa_process, the prompt driver, the terminal. */
function mfaSourceFor(rt: MfaDeps, profile: ResolvedProfile, req: Pick<CredentialRequest, 'mfaToken'>): MfaSource {
  return selectMfaSource({
    token: req.mfaToken,
    mfaProcessFor: (name) => mfaProcessOf(profile, name),
    driver: rt.promptDriver,
    env: rt.env,
    hasTerminal: rt.hasTerminal,
    platform: rt.platform,
    log: rt.log,
  })
}

/**
 * mfa_process of the named link of the chain (the config reader already gave each profile its
 * source's when it has none, as ByteNess aws-vault does), else of the active profile.
 */
function mfaProcessOf(active: ResolvedProfile, name: string): string | undefined {
  for (let p: ResolvedProfile | undefined = active; p; p = p.source)
    if (p.name === name && p.mfaProcess) return p.mfaProcess
  return active.mfaProcess
}
