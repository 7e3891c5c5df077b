import { formatDuration, ROLE_CHAINING_MAX_SECONDS } from '../config/duration.js'
import type { ResolvedProfile } from '../config/types.js'
import { ConfigError, NotFoundError } from '../errors.js'
import type { MfaSource } from '../mfa/mfa-source.js'
import type { Clock, Env, Logger } from '../runtime/types.js'
import { assumeRoleProvider } from './assume-role-provider.js'
import { cachedProvider } from './cached-provider.js'
import { credentialProcessProvider } from './credential-process-provider.js'
import type { ObtainTrace } from './hand-out.js'
import { masterKeysProvider } from './master-keys-provider.js'
import type { CredentialProvider, LockFn, LongTermKeys, SessionCache, SessionKey } from './provider.js'
import { roleSessionName } from './role-session-name.js'
import { sessionTokenProvider } from './session-token-provider.js'
import { signInWait } from './sso/token-source.js'
import { type SsoContext, ssoRoleProvider } from './sso-provider.js'
import type { StsFactory } from './sts-port.js'
import { stsTarget } from './sts-target.js'
import { webIdentityProvider } from './web-identity-provider.js'

/** AWS caps a role assumed with temporary credentials (role chaining) at one hour. */
export const roleChainingMaxSeconds = ROLE_CHAINING_MAX_SECONDS

export interface ChainContext {
  keys: LongTermKeys
  sessions: SessionCache
  sts: StsFactory
  mfa: MfaSource
  clock: Clock
  log: Logger
  env: Env
  lock: LockFn
  /** --no-session: hand out long-term keys, and assume roles straight from them. */
  noSession: boolean
  /** Expiry window in seconds for the credentials handed out (AWS_MIN_TTL, or 15 min for credential_process). */
  windowSeconds: number
  /** A `vault: warning: …` line for stderr, e.g. an mfa_serial that no call on the path uses. */
  warn?: (message: string) => void
  /** IAM Identity Center: token store, browser, where the code is shown. Absent: SSO profiles fail. */
  sso?: SsoContext
  /** Told each step the chain takes (cache hit, key read, STS/SSO/process call): the hand-out's record. */
  trace?: ObtainTrace
}

/** What a link's credentials are; only long-term keys may assume a role for more than 1 h. */
export type LinkKind = 'keys' | 'session' | 'role' | 'external'

interface Link {
  provider: CredentialProvider
  kind: LinkKind
  /** The MFA serial already satisfied on the way (by a GetSessionToken or an AssumeRole with MFA). */
  mfaUsed?: string
}

export interface Chain {
  provider: CredentialProvider
  /** What the credentials handed out are. */
  kind: LinkKind
  /** For role credentials: true when the role is assumed straight from long-term keys. */
  roleFromKeys: boolean
}

/** What one providerFor call learns on its way down the chain. */
interface Walk {
  ctx: ChainContext
  active: string
  /** Every profile the chain reads, top first. */
  visited: ResolvedProfile[]
  /** Serials some STS call on the path carries (or a shared session already carried). */
  mfaUsed: Set<string>
  /** Why a profile's mfa_serial was left out, by profile name. */
  mfaSkipped: Map<string, string>
  /** Set by roleLink for the role whose credentials are handed out. */
  roleFromKeys: boolean
}

/**
 * Picks the credential chain for a profile. The order mirrors aws-vault v7's
 * TempCredentialsCreator.GetProviderForProfile, and every decision is logged with its reason:
 *   1. stored long-term keys, or else source_profile (resolved recursively): on top of long-term
 *      keys, a GetSessionToken session when it is worth one (see prime), then AssumeRole when the
 *      profile has role_arn; a profile without role_arn hands on what its source gives;
 *   2. IAM Identity Center (SSO), cached as sso.GetRoleCredentials; 3. web identity;
 *   4. credential_process (cached until it expires, as aws-vault does);
 *   otherwise, an error saying to run `vault add`.
 * A profile whose mfa_serial no call on the path carries gets a --debug line and a warning.
 */
export async function providerFor(profile: ResolvedProfile, ctx: ChainContext): Promise<CredentialProvider> {
  return (await chainFor(profile, ctx)).provider
}

/** providerFor, with what the chain decided (for the console sign-in, which must know the source). */
export async function chainFor(profile: ResolvedProfile, ctx: ChainContext): Promise<Chain> {
  const walk: Walk = {
    ctx,
    active: profile.name,
    visited: [],
    mfaUsed: new Set(),
    mfaSkipped: new Map(),
    roleFromKeys: false,
  }
  const top = await link(profile, walk, [])
  reportUnusedMfa(walk)
  return { provider: top.provider, kind: top.kind, roleFromKeys: top.kind === 'role' && walk.roleFromKeys }
}

/** `path` holds the profiles that use p's credentials, nearest first (aws-vault's ChainedFromProfile). */
async function link(p: ResolvedProfile, walk: Walk, path: ResolvedProfile[]): Promise<Link> {
  if (walk.visited.some((v) => v.name === p.name))
    throw new ConfigError(`profile "${walk.active}": source_profile cycle through "${p.name}"`)
  walk.visited.push(p)
  const { ctx } = walk
  const { log } = ctx

  let base: Link
  if ((await ctx.keys.has(p.name)) || (await confirmedKeys(p, ctx))) {
    log.debug(`profile ${p.name}: using stored long-term keys`)
    base = { provider: masterKeysProvider(ctx.keys, p.name, walk.active, ctx.trace), kind: 'keys' }
  } else if (p.source) {
    log.debug(
      `profile ${p.name}: ${p.roleArn ? 'sourcing credentials from' : 'no role_arn; using the credentials of'} source profile ${p.source.name}`,
    )
    base = await link(p.source, walk, [p, ...path])
  } else {
    return sourceless(p, walk, path)
  }
  if (base.kind === 'keys') base = prime(p, base, walk, path)
  if (!p.roleArn) return base
  return roleLink(p, base, walk, path)
}

/**
 * Whether profile p puts a GetSessionToken session over the long-term keys it has (its own, or
 * handed up by a source profile without role_arn), as aws-vault's primeWithGetSessionToken and
 * canUseGetSessionToken decide, with one deliberate difference: a role's mfa_serial is carried by
 * the session over its source's keys even when the source has no mfa_serial, so one MFA session
 * serves every role with that source and serial (aws-vault prompts per role then).
 */
function prime(p: ResolvedProfile, keys: Link, walk: Walk, path: ResolvedProfile[]): Link {
  const { ctx } = walk
  const skip = (reason: string): Link => {
    ctx.log.debug(`profile ${p.name}: skipping GetSessionToken because ${reason}`)
    if (p.mfaSerial && !walk.mfaSkipped.has(p.name)) walk.mfaSkipped.set(p.name, reason)
    return keys
  }
  if (ctx.noSession) return skip('--no-session disables sessions')
  const long = singleLongRole([p, ...path])
  if (long) {
    return skip(
      `role ${long.name} asks for ${formatDuration(long.assumeRoleDuration)}, and AWS caps a role assumed with a session at 1h; assuming it with the long-term keys keeps the full duration`,
    )
  }
  const handedOut = ![p, ...path].some((q) => q.roleArn)
  const consumer = path[0]
  if (!consumer || (!consumer.roleArn && p.roleArn)) {
    // The session itself is handed out...
    if (!p.roleArn) return session(p, p.mfaSerial, walk, keys, true, '')
    // ...or p's role makes the credentials handed out (directly, or through profiles without role_arn).
    if (!p.mfaSerial) return skip(`profile '${p.name}' has no MFA serial defined`)
    return session(p, p.mfaSerial, walk, keys, false, ' (shared MFA session for its role)')
  }
  if (consumer.roleArn) {
    // Source of a role: the session carries the role's serial when the source has none or the
    // same one; a source with a different serial keeps its own, and the role then needs its own MFA.
    const serial = p.mfaSerial ?? consumer.mfaSerial
    if (!serial) return skip(`profile '${consumer.name}' has no MFA serial defined`)
    const shared = serial === consumer.mfaSerial
    return session(p, serial, walk, keys, false, shared ? ', a shared MFA session for its roles (chained MFA)' : '')
  }
  // Source of a profile without role_arn: a session here only when both carry the same serial;
  // otherwise the keys go up, and the profile above makes its own session with its own serial.
  if (p.mfaSerial && p.mfaSerial === consumer.mfaSerial)
    return session(p, p.mfaSerial, walk, keys, handedOut, ' (chained MFA)')
  if (!p.mfaSerial) {
    ctx.log.debug(`profile ${p.name}: leaving GetSessionToken to profile ${consumer.name}, which uses these keys`)
    return keys
  }
  return skip(
    consumer.mfaSerial
      ? `MFA serial doesn't match profile '${consumer.name}'`
      : `profile '${consumer.name}' has no MFA serial defined`,
  )
}

/** aws-vault's assumeRoleKeepsFullDuration: the one role of the chain, when it asks for more than 1 h. */
function singleLongRole(profiles: ResolvedProfile[]): ResolvedProfile | undefined {
  const roles = profiles.filter((q) => q.roleArn)
  const role = roles[0]
  return roles.length === 1 && role && role.assumeRoleDuration > roleChainingMaxSeconds ? role : undefined
}

/** A GetSessionToken session of p's keys: handed out (p's own duration) or a source (chained duration). */
function session(
  p: ResolvedProfile,
  serial: string | undefined,
  walk: Walk,
  keys: Link,
  handedOut: boolean,
  note: string,
): Link {
  const { ctx } = walk
  const durationSeconds = handedOut ? p.getSessionTokenDuration : p.chainedGetSessionTokenDuration
  ctx.log.debug(
    `profile ${p.name}: using GetSessionToken${serial ? ` with MFA ${serial}` : ' without MFA'}${note}, for ${formatDuration(durationSeconds)}`,
  )
  if (serial) walk.mfaUsed.add(serial)
  const provider = sessionTokenProvider({
    source: keys.provider,
    profile: p.name,
    durationSeconds,
    mfaSerial: serial,
    mfa: ctx.mfa,
    sts: ctx.sts,
    target: stsTarget(p, ctx.env),
    log: ctx.log,
    trace: ctx.trace,
  })
  const key: SessionKey = { type: 'sts.GetSessionToken', profile: p.name, mfaSerial: serial ?? '' }
  return {
    provider: cache(provider, key, walk, handedOut ? durationSeconds : undefined, p),
    kind: 'session',
    mfaUsed: serial,
  }
}

function roleLink(p: ResolvedProfile, source: Link, walk: Walk, path: ResolvedProfile[]): Link {
  const { ctx } = walk
  const roleArn = p.roleArn as string
  let duration = p.assumeRoleDuration
  // AWS refuses an AssumeRole for more than 1 h with temporary credentials; the provider checks
  // credential_process output (which may be either) when it has it.
  if (source.kind !== 'keys' && source.kind !== 'external' && duration > roleChainingMaxSeconds) {
    ctx.log.debug(
      `profile ${p.name}: capping AssumeRole duration from ${formatDuration(duration)} to AWS maximum 1h for role chaining (the source credentials are a ${source.kind === 'role' ? 'role' : 'GetSessionToken'} session)`,
    )
    duration = roleChainingMaxSeconds
  }
  const needsMfa = p.mfaSerial !== undefined && p.mfaSerial !== source.mfaUsed
  if (p.mfaSerial && !needsMfa)
    ctx.log.debug(
      `profile ${p.name}: MFA ${p.mfaSerial} already satisfied by the source session; AssumeRole without MFA`,
    )
  if (p.mfaSerial) walk.mfaUsed.add(p.mfaSerial)
  const handedOut = !path.some((q) => q.roleArn)
  if (handedOut) walk.roleFromKeys = source.kind === 'keys'
  const provider = assumeRoleProvider({
    source: source.provider,
    profile: p.name,
    role: {
      roleArn,
      roleSessionName: roleSessionName(p.roleSessionName, ctx.env),
      durationSeconds: duration,
      externalId: p.externalId,
      sessionTags: p.sessionTags,
      transitiveTagKeys: p.transitiveSessionTags,
      sourceIdentity: p.sourceIdentity,
    },
    mfaSerial: needsMfa ? p.mfaSerial : undefined,
    mfa: ctx.mfa,
    sts: ctx.sts,
    target: stsTarget(p, ctx.env),
    log: ctx.log,
    capIfTemporary: source.kind === 'external',
    trace: ctx.trace,
  })
  const key: SessionKey = { type: 'sts.AssumeRole', profile: p.name, mfaSerial: p.mfaSerial ?? '' }
  return {
    provider: cache(provider, key, walk, handedOut ? duration : undefined, p),
    kind: 'role',
    mfaUsed: p.mfaSerial ?? source.mfaUsed,
  }
}

/** A profile with neither stored keys nor source_profile: web identity, credential_process, or an error. */
function sourceless(p: ResolvedProfile, walk: Walk, path: ResolvedProfile[]): Link {
  const { ctx } = walk
  const { log } = ctx
  const handedOut = !path.some((q) => q.roleArn)

  // IAM Identity Center before web identity and credential_process, as aws-vault orders them. Its
  // role credentials count as role credentials: a role assumed with them is role chaining.
  if (p.ssoStartUrl || p.ssoSession) {
    if (!ctx.sso) throw new ConfigError(`profile "${p.name}": SSO profiles are not available here`)
    log.debug(`profile ${p.name}: using IAM Identity Center role ${p.ssoRoleName} in account ${p.ssoAccountId}`)
    if (p.mfaSerial) walk.mfaSkipped.set(p.name, 'IAM Identity Center makes the credentials, and it takes no MFA code')
    const provider = ssoRoleProvider(p, { ...ctx, sso: ctx.sso })
    const key: SessionKey = { type: 'sso.GetRoleCredentials', profile: p.name, mfaSerial: '' }
    return { provider: cache(provider, key, walk, undefined, p), kind: 'role' }
  }

  if (p.webIdentityTokenFile || p.webIdentityTokenProcess) {
    if (!p.roleArn) throw new ConfigError(`profile "${p.name}": web identity needs role_arn`)
    log.debug(
      `profile ${p.name}: using web identity (${p.webIdentityTokenFile ? 'web_identity_token_file' : 'web_identity_token_process'})`,
    )
    if (p.mfaSerial) walk.mfaSkipped.set(p.name, 'web identity makes the credentials, and it takes no MFA')
    const provider = webIdentityProvider({
      profile: p.name,
      roleArn: p.roleArn,
      roleSessionName: roleSessionName(p.roleSessionName, ctx.env),
      durationSeconds: p.assumeRoleDuration,
      tokenFile: p.webIdentityTokenFile,
      tokenProcess: p.webIdentityTokenProcess,
      env: ctx.env,
      sts: ctx.sts,
      target: stsTarget(p, ctx.env),
      trace: ctx.trace,
    })
    const key: SessionKey = { type: 'sts.AssumeRoleWithWebIdentity', profile: p.name, mfaSerial: '' }
    return { provider: cache(provider, key, walk, handedOut ? p.assumeRoleDuration : undefined, p), kind: 'role' }
  }

  // credential_process is used as it is: aws-vault v7's GetProviderForProfile does not assume
  // role_arn over it (the config reader's --debug note says so when both are set). Its output is
  // cached until it expires, as aws-vault's NewCredentialProcessProvider does.
  if (p.credentialProcess) {
    log.debug(`profile ${p.name}: using credential_process`)
    if (p.mfaSerial) walk.mfaSkipped.set(p.name, 'credential_process makes the credentials')
    if (handedOut && p.durationFlag !== undefined)
      log.debug(
        `profile ${p.name}: --duration does not apply to credential_process output; it lasts as long as it says`,
      )
    const provider = credentialProcessProvider({
      profile: p.name,
      command: p.credentialProcess,
      env: ctx.env,
      clock: ctx.clock,
      trace: ctx.trace,
    })
    const key: SessionKey = { type: 'credential_process', profile: p.name, mfaSerial: '' }
    return { provider: cache(provider, key, walk, undefined, p), kind: 'external' }
  }

  const whose = p.name === walk.active ? `profile "${p.name}"` : `profile "${walk.active}": source profile "${p.name}"`
  throw new NotFoundError(`${whose} has no credentials in the keychain`, `run: vault add ${p.name}`)
}

/**
 * Before a profile with no other source is said to have no credentials, the store itself is asked:
 * its index may have missed a write (issue 15), and the lookup repairs it.
 */
async function confirmedKeys(p: ResolvedProfile, ctx: ChainContext): Promise<boolean> {
  if (p.source || p.webIdentityTokenFile || p.webIdentityTokenProcess || p.credentialProcess) return false
  if (p.ssoStartUrl || p.ssoSession) return false
  const found = await ctx.keys.has(p.name, { confirm: true })
  if (found) ctx.log.debug(`profile ${p.name}: the store index did not name its keys; the keychain holds them`)
  return found
}

/**
 * The cache decorator for one link. Credentials used only as a source need just enough life left
 * for the next STS call; those handed out keep the caller's window, and, when --duration was given,
 * are reused only while they last the duration asked for, less that window (`requested`).
 */
function cache(
  provider: CredentialProvider,
  key: SessionKey,
  walk: Walk,
  requested: number | undefined,
  p: ResolvedProfile,
): CredentialProvider {
  const { ctx } = walk
  // credential_process and SSO output last as long as they say: no --duration to compare with.
  const handedOut =
    requested !== undefined || key.type === 'credential_process' || key.type === 'sso.GetRoleCredentials'
  const windowSeconds = handedOut ? ctx.windowSeconds : Math.min(ctx.windowSeconds, 300)
  return cachedProvider(provider, {
    cache: ctx.sessions,
    key,
    clock: ctx.clock,
    log: ctx.log,
    windowSeconds,
    lock: ctx.lock,
    requestedSeconds: p.durationFlag !== undefined ? requested : undefined,
    // A holder may be in an IAM Identity Center device login: wait as long as that may take.
    wait: walk.visited.some((q) => q.ssoStartUrl || q.ssoSession) ? signInWait : undefined,
    trace: ctx.trace,
  })
}

/** A profile on the path sets mfa_serial, yet no call carries it: say why, never silently. */
function reportUnusedMfa(walk: Walk): void {
  const warned = new Set<string>()
  for (const q of walk.visited) {
    const serial = q.mfaSerial
    if (!serial || walk.mfaUsed.has(serial) || warned.has(serial)) continue
    warned.add(serial)
    const reason = walk.mfaSkipped.get(q.name) ?? 'no call on the path uses it'
    walk.ctx.log.debug(`profile ${q.name}: mfa_serial ${serial} is not used: ${reason}`)
    const whose = q.name === walk.active ? '' : ` for "${walk.active}"`
    walk.ctx.warn?.(
      `profile "${q.name}" sets mfa_serial, but the credentials${whose} are made without MFA (${reason}); run with --debug for details`,
    )
  }
}
