import { ConfigFile, configFilePath } from '../config/config-file.js'
import { resolveProfile } from '../config/resolve.js'
import type { ResolvedProfile } from '../config/types.js'
import { isVaultError, UsageError } from '../errors.js'
import { printable } from '../output/printable.js'
import type { Clock, Env, Logger } from '../runtime/types.js'
import type { ParsedSessionKey } from '../stores/session-key.js'
import { outsideWindow } from '../vault/cached-provider.js'
import { type ChainContext, providerFor } from '../vault/chain.js'
import type { LongTermKeys } from '../vault/provider.js'
import { formatRemaining, noLock } from '../vault/provider.js'
import type { StsFactory } from '../vault/sts-port.js'

/**
 * What `vault status` touches, and nothing more: the config, the key store's `has`, and the
 * session store's listing (item names, which carry the expiry: no secret is read). No STS client,
 * no MFA source, no lock, so it stays on the fast path and can never make an AWS call.
 */
export interface StatusDeps {
  env: Env
  homedir: string
  clock: Clock
  keys(): Promise<Pick<LongTermKeys, 'has'>>
  sessions(): Promise<{ list(): Promise<ParsedSessionKey[]> }>
}

export interface SessionStatus {
  /** sts.GetSessionToken, sts.AssumeRole, … */
  type: string
  profile: string
  mfa: boolean
  /** '' when the session was made without MFA. */
  mfaSerial: string
  expiration: string
  /** Negative once expired. */
  expiresInSeconds: number
  valid: boolean
}

export interface ProfileStatus {
  profile: string
  /** True when the profile came from AWS_VAULT (the one active in this shell). */
  active: boolean
  /** The profile this shell holds credentials of (AWS_VAULT), when it is another one. */
  shellProfile?: string
  /** This shell holds the profile's long-term keys (exported with --no-session): they do not expire. */
  shellLongTerm?: boolean
  /** AWS_CREDENTIAL_EXPIRATION of this shell's credentials, when they are this profile's. */
  shellExpiration?: string
  shellExpiresInSeconds?: number
  /** Where the credentials come from: the chain's decisions, one line each, top first. */
  chain: string[]
  /** Every cached session of the profiles on the way, newest first per profile. */
  sessions: SessionStatus[]
}

/** Thrown by the stand-ins below: the chain is only picked, never run. */
const notRun = (what: string) => () => {
  throw new Error(`vault status never ${what}`)
}

/** IAM Identity Center for picking an SSO link: every port refuses, since the link is never run. */
const refuseSso = (() => {
  const refuse = new Proxy({}, { get: () => notRun('signs in to IAM Identity Center') })
  const ports = { oidc: () => refuse, portal: () => refuse }
  return new Proxy({}, { get: (_t, prop) => (prop === 'ports' ? ports : notRun('signs in to IAM Identity Center')) })
})() as unknown as NonNullable<ChainContext['sso']>

/**
 * `vault status [PROFILE]`: where the profile's credentials come from and how long each cached
 * session on the way has left. The chain lines are the very decisions src/vault/chain.ts logs
 * under --debug (it is asked to pick the chain, which reads only whether keys exist), so the two
 * never disagree.
 */
export async function profileStatus(deps: StatusDeps, req: { profile?: string }): Promise<ProfileStatus> {
  const active = req.profile === undefined
  const name = req.profile ?? deps.env.AWS_VAULT
  if (!name) {
    throw new UsageError(
      'no profile given, and no profile is active in this shell (AWS_VAULT is not set)',
      'run: vault status PROFILE',
    )
  }
  const keys = await deps.keys()
  const config = await ConfigFile.load(configFilePath(deps.env, deps.homedir))
  const allowMissing = name !== 'default' && !config.hasProfile(name) && (await keys.has(name))
  const profile = resolveProfile(config, name, { env: deps.env, allowMissing })

  // The shell holds this profile's long-term keys when `vault export --no-session` set them: keys
  // and AWS_VAULT, but no session token. Its chain is then the --no-session one.
  const inShell = deps.env.AWS_VAULT === profile.name
  const shellLongTerm = inShell && Boolean(deps.env.AWS_ACCESS_KEY_ID) && !deps.env.AWS_SESSION_TOKEN
  const chain: string[] = []
  const log: Logger = { enabled: true, debug: (line) => chain.push(line) }
  const refuse = notRun('calls STS') as unknown as StsFactory
  const picked = providerFor(profile, {
    keys: { has: (p) => keys.has(p), get: notRun('reads keys') },
    sessions: { get: notRun('reads sessions'), set: notRun('writes sessions'), remove: notRun('removes sessions') },
    sts: refuse,
    mfa: notRun('asks for MFA'),
    clock: deps.clock,
    log,
    env: deps.env,
    lock: noLock,
    noSession: shellLongTerm,
    windowSeconds: profile.minTtl,
    sso: refuseSso,
  })
  let description: string | undefined
  try {
    description = (await picked).description
  } catch (err) {
    // No usable chain (no keys stored, SSO): status still shows it, and what to do.
    if (!isVaultError(err)) throw err
    chain.push(err.hint ? `${err.message}; ${err.hint}` : err.message)
  }

  const now = deps.clock.now().getTime()
  const onTheWay = profileNames(profile)
  const sessions = (await (await deps.sessions()).list())
    .filter((s) => onTheWay.includes(s.profile))
    .sort(
      (a, b) =>
        onTheWay.indexOf(a.profile) - onTheWay.indexOf(b.profile) || b.expiration.getTime() - a.expiration.getTime(),
    )
    .map((s): SessionStatus => {
      const left = secondsLeft(s.expiration, now)
      return {
        type: s.type,
        profile: s.profile,
        mfa: s.mfaSerial !== '',
        mfaSerial: s.mfaSerial,
        expiration: s.expiration.toISOString(),
        expiresInSeconds: left,
        valid: !isExpired(left),
      }
    })

  if (description !== undefined)
    chain.push(
      `profile ${profile.name}: credentials from ${describe(description, profile, sessions, deps.clock.now())}`,
    )
  const status: ProfileStatus = { profile: profile.name, active, chain, sessions }
  if (shellLongTerm) status.shellLongTerm = true
  if (deps.env.AWS_VAULT && !inShell) status.shellProfile = deps.env.AWS_VAULT
  const shellExpiry = inShell && !shellLongTerm ? deps.env.AWS_CREDENTIAL_EXPIRATION : undefined
  const shellTime = shellExpiry ? Date.parse(shellExpiry) : Number.NaN
  if (!Number.isNaN(shellTime)) {
    status.shellExpiration = new Date(shellTime).toISOString()
    status.shellExpiresInSeconds = secondsLeft(new Date(shellTime), now)
  }
  return status
}

/**
 * The top link's description, true to what is cached now: "cached X" is the caching decorator,
 * which serves from the cache only while a session is there and outside the expiry window.
 */
function describe(description: string, profile: ResolvedProfile, sessions: SessionStatus[], now: Date): string {
  if (!description.startsWith('cached ')) return description
  const usable = sessions.find(
    (s) => s.profile === profile.name && outsideWindow(Date.parse(s.expiration) - now.getTime(), profile.minTtl),
  )
  if (usable) return `${description} (${validity(usable.expiresInSeconds, new Date(usable.expiration), now)})`
  return `${description.slice('cached '.length)}, cached once fetched (nothing usable is cached now: the next exec or export calls ${usesSso(profile) ? 'IAM Identity Center' : 'STS'})`
}

const usesSso = (p: ResolvedProfile) => Boolean(p.ssoStartUrl || p.ssoSession)

/** The profile and its source profiles, top first. */
function profileNames(profile: ResolvedProfile): string[] {
  const names: string[] = []
  for (let p: ResolvedProfile | undefined = profile; p; p = p.source) names.push(p.name)
  return names
}

/** Whole seconds from `now` (ms) to `expiration`, negative once past: the number status shows. */
function secondsLeft(expiration: Date, now: number): number {
  return Math.floor((expiration.getTime() - now) / 1000)
}

/** Expired once no whole second is left: the one rule behind `valid` and the word "expired". */
export function isExpired(expiresInSeconds: number): boolean {
  return expiresInSeconds <= 0
}

/** "valid for 7h59m (until 17:42)" or "expired"; the clock time is local, with the date when not today. */
export function validity(expiresInSeconds: number, expiration: Date, now: Date): string {
  if (isExpired(expiresInSeconds)) return 'expired'
  const hhmm = `${String(expiration.getHours()).padStart(2, '0')}:${String(expiration.getMinutes()).padStart(2, '0')}`
  const sameDay = expiration.toDateString() === now.toDateString()
  const when = sameDay ? hhmm : `${expiration.toDateString().slice(4, 10)} ${hhmm}`
  return `valid for ${formatRemaining(expiresInSeconds * 1000)} (until ${when})`
}

/** The human form of `vault status`, on stdout. */
export function renderStatus(s: ProfileStatus, now: Date): string {
  const lines = [`profile ${s.profile}${s.active ? ' (active in this shell)' : ''}`]
  if (s.shellProfile) lines.push(`  this shell: credentials of profile ${s.shellProfile}, not of ${s.profile}`)
  if (s.shellLongTerm) lines.push('  this shell: long-term keys (exported with --no-session); they do not expire')
  if (s.shellExpiresInSeconds !== undefined && s.shellExpiration) {
    lines.push(`  this shell: ${validity(s.shellExpiresInSeconds, new Date(s.shellExpiration), now)}`)
  }
  lines.push('credentials:')
  for (const line of s.chain) lines.push(`  ${line}`)
  if (s.sessions.length === 0) {
    lines.push('cached sessions: none')
  } else {
    lines.push('cached sessions:')
    const typeWidth = Math.max(...s.sessions.map((x) => x.type.length))
    const profileWidth = Math.max(...s.sessions.map((x) => x.profile.length))
    for (const x of s.sessions) {
      const mfa = x.mfa ? 'MFA   ' : 'no MFA'
      const left = validity(x.expiresInSeconds, new Date(x.expiration), now)
      lines.push(`  ${x.type.padEnd(typeWidth)}  ${x.profile.padEnd(profileWidth)}  ${mfa}  ${left}`)
    }
  }
  // Profile names and chain lines come from the config file: no control character reaches the terminal.
  return `${lines.map(printable).join('\n')}\n`
}
