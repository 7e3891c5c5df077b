import { formatDuration } from '../config/duration.js'
import type { ResolvedProfile } from '../config/types.js'
import { ConfigError, NotFoundError } from '../errors.js'
import type { MfaSource } from '../mfa/mfa-source.js'
import type { Clock, Env, Logger } from '../runtime/types.js'
import { assumeRoleProvider } from './assume-role-provider.js'
import { cachedProvider } from './cached-provider.js'
import { credentialProcessProvider } from './credential-process-provider.js'
import { masterKeysProvider } from './master-keys-provider.js'
import type { CredentialProvider, LockFn, LongTermKeys, SessionCache, SessionKey } from './provider.js'
import { roleSessionName } from './role-session-name.js'
import { sessionTokenProvider } from './session-token-provider.js'
import { type SsoContext, ssoRoleProvider } from './sso-provider.js'
import type { StsFactory } from './sts-port.js'
import { stsTarget } from './sts-target.js'
import { webIdentityProvider } from './web-identity-provider.js'

/** AWS caps a role assumed with role credentials (role chaining) at one hour. */
export const roleChainingMaxSeconds = 3600

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
  /** IAM Identity Center: token store, browser, where the code is shown. Absent: SSO profiles fail. */
  sso?: SsoContext
}

interface Link {
  provider: CredentialProvider
  /** The MFA serial already satisfied on the way (by a GetSessionToken or an AssumeRole with MFA). */
  mfaUsed?: string
  /** True when the credentials are role credentials, so a role assumed with them is role chaining. */
  isRole: boolean
}

/**
 * Picks the credential chain for a profile. The order mirrors aws-vault v7's
 * TempCredentialsCreator, and every decision is logged with its reason under --debug:
 *   1. stored long-term keys (then GetSessionToken, or AssumeRole when the profile has role_arn);
 *   2. source_profile (resolved recursively; a role over it);
 *   3. IAM Identity Center (SSO); 4. web identity; 5. credential_process (as it is);
 *   otherwise, an error saying to run `vault add`.
 */
export async function providerFor(profile: ResolvedProfile, ctx: ChainContext): Promise<CredentialProvider> {
  return (await link(profile, ctx, profile.name, new Set())).provider
}

async function link(p: ResolvedProfile, ctx: ChainContext, active: string, seen: Set<string>): Promise<Link> {
  if (seen.has(p.name)) throw new ConfigError(`profile "${active}": source_profile cycle through "${p.name}"`)
  seen.add(p.name)
  const { log } = ctx
  const isActive = p.name === active

  // 1. Stored long-term keys.
  if (await ctx.keys.has(p.name)) {
    const keys = masterKeysProvider(ctx.keys, p.name, active)
    if (p.roleArn) {
      log.debug(`profile ${p.name}: using stored long-term keys as the source of role ${p.roleArn}`)
      return roleLink(p, ctx, sessionOver(p, p, ctx, keys), active)
    }
    if (ctx.noSession) {
      log.debug(`profile ${p.name}: using stored long-term keys directly (--no-session)`)
      return { provider: keys, isRole: false }
    }
    const duration = isActive ? p.getSessionTokenDuration : p.chainedGetSessionTokenDuration
    log.debug(
      `profile ${p.name}: using stored long-term keys, through GetSessionToken${p.mfaSerial ? ' with MFA' : ''}`,
    )
    return { provider: session(p, p.mfaSerial, duration, ctx, keys), mfaUsed: p.mfaSerial, isRole: false }
  }

  // 2. A role over source_profile.
  if (p.source) {
    if (!p.roleArn) {
      log.debug(`profile ${p.name}: no role_arn; using the credentials of source profile ${p.source.name}`)
      return link(p.source, ctx, active, seen)
    }
    const s = p.source
    if (!s.roleArn && (await ctx.keys.has(s.name))) {
      log.debug(`profile ${p.name}: sourcing credentials from profile ${s.name}, which holds long-term keys`)
      return roleLink(p, ctx, sessionOver(p, s, ctx, masterKeysProvider(ctx.keys, s.name, active)), active)
    }
    log.debug(`profile ${p.name}: sourcing credentials from profile ${s.name}`)
    return roleLink(p, ctx, await link(s, ctx, active, seen), active)
  }

  // 3. IAM Identity Center (SSO) role credentials, before web identity and credential_process as in aws-vault.
  if (p.ssoStartUrl || p.ssoSession) return ssoLink(p, ctx, active)

  // 4. Web identity.
  if (p.webIdentityTokenFile || p.webIdentityTokenProcess) {
    if (!p.roleArn) throw new ConfigError(`profile "${p.name}": web identity needs role_arn`)
    log.debug(
      `profile ${p.name}: using web identity (${p.webIdentityTokenFile ? 'web_identity_token_file' : 'web_identity_token_process'})`,
    )
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
    })
    return {
      provider: cache(provider, { type: 'sts.AssumeRoleWithWebIdentity', profile: p.name, mfaSerial: '' }, ctx),
      isRole: true,
    }
  }

  // 5. credential_process, used as it is: aws-vault v7's GetProviderForProfile does not assume
  // role_arn over it (the config reader's --debug note says so when both are set).
  if (p.credentialProcess) {
    log.debug(`profile ${p.name}: using credential_process`)
    return { provider: credentialProcessProvider(p.name, p.credentialProcess, ctx.env), isRole: false }
  }

  const whose = p.name === active ? `profile "${p.name}"` : `profile "${active}": source profile "${p.name}"`
  throw new NotFoundError(`${whose} has no credentials in the keychain`, `run: vault add ${p.name}`)
}

/**
 * The source of role `p` when profile `s` holds long-term keys: a shared MFA session on `s`
 * (GetSessionToken, chained duration), which every role with the same source and mfa_serial
 * reuses without a prompt, unless sessions cannot be used; then the keys themselves.
 */
function sessionOver(p: ResolvedProfile, s: ResolvedProfile, ctx: ChainContext, keys: CredentialProvider): Link {
  const { log } = ctx
  const roleDuration = p.durationSeconds ?? p.assumeRoleDuration
  if (ctx.noSession) {
    log.debug(`profile ${p.name}: skipping GetSessionToken because sessions are disabled (--no-session)`)
    return { provider: keys, isRole: false }
  }
  if (roleDuration > roleChainingMaxSeconds) {
    log.debug(
      `profile ${p.name}: skipping GetSessionToken because the role asks for ${formatDuration(roleDuration)} and AWS caps roles assumed from a session at 1h; assuming it directly from the keys of ${s.name}`,
    )
    return { provider: keys, isRole: false }
  }
  // The session carries the role's serial when the source has none or the same one; a source
  // with a different serial keeps its own, and the role then needs its own MFA.
  const serial = s.mfaSerial ?? p.mfaSerial
  const shared = serial !== undefined && serial === p.mfaSerial
  log.debug(
    `profile ${p.name}: using ${shared ? 'a shared MFA' : 'a'} GetSessionToken session of ${s.name}${shared ? ' (chained MFA)' : ''}, valid up to ${formatDuration(s.chainedGetSessionTokenDuration)}`,
  )
  return { provider: session(s, serial, s.chainedGetSessionTokenDuration, ctx, keys), mfaUsed: serial, isRole: false }
}

function session(
  p: ResolvedProfile,
  serial: string | undefined,
  durationSeconds: number,
  ctx: ChainContext,
  keys: CredentialProvider,
): CredentialProvider {
  const provider = sessionTokenProvider({
    source: keys,
    profile: p.name,
    durationSeconds,
    mfaSerial: serial,
    mfa: ctx.mfa,
    sts: ctx.sts,
    target: stsTarget(p, ctx.env),
    log: ctx.log,
  })
  return cache(provider, { type: 'sts.GetSessionToken', profile: p.name, mfaSerial: serial ?? '' }, ctx)
}

function roleLink(p: ResolvedProfile, ctx: ChainContext, source: Link, active: string): Link {
  const roleArn = p.roleArn as string
  let duration = p.durationSeconds ?? p.assumeRoleDuration
  if (source.isRole && duration > roleChainingMaxSeconds) {
    ctx.log.debug(`profile ${p.name}: role chaining caps the duration at 1h (asked for ${formatDuration(duration)})`)
    duration = roleChainingMaxSeconds
  }
  const needsMfa = p.mfaSerial !== undefined && p.mfaSerial !== source.mfaUsed
  if (p.mfaSerial && !needsMfa)
    ctx.log.debug(
      `profile ${p.name}: MFA ${p.mfaSerial} already satisfied by the source session; AssumeRole without MFA`,
    )
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
  })
  const cached = cache(
    provider,
    { type: 'sts.AssumeRole', profile: p.name, mfaSerial: p.mfaSerial ?? '' },
    ctx,
    p.name === active,
  )
  return { provider: cached, mfaUsed: p.mfaSerial ?? source.mfaUsed, isRole: true }
}

/** SSO role credentials, cached as `sso.GetRoleCredentials` like any other session. */
function ssoLink(p: ResolvedProfile, ctx: ChainContext, active: string): Link {
  if (!ctx.sso) throw new ConfigError(`profile "${p.name}": SSO profiles are not available here`)
  ctx.log.debug(`profile ${p.name}: using IAM Identity Center role ${p.ssoRoleName} in account ${p.ssoAccountId}`)
  const provider = ssoRoleProvider(p, { ...ctx, sso: ctx.sso })
  const key: SessionKey = { type: 'sso.GetRoleCredentials', profile: p.name, mfaSerial: '' }
  return { provider: cache(provider, key, ctx, p.name === active), isRole: true }
}

function cache(provider: CredentialProvider, key: SessionKey, ctx: ChainContext, handedOut = true): CredentialProvider {
  // Credentials used only as a source need just enough life left for the next STS call.
  const windowSeconds = handedOut ? ctx.windowSeconds : Math.min(ctx.windowSeconds, 300)
  return cachedProvider(provider, {
    cache: ctx.sessions,
    key,
    clock: ctx.clock,
    log: ctx.log,
    windowSeconds,
    lock: ctx.lock,
  })
}
