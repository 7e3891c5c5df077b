import { formatDuration } from '../config/duration.js'
import type { ResolvedProfile } from '../config/types.js'
import { ConfigError, NotFoundError } from '../errors.js'
import { assumeRoleProvider } from './assume-role-provider.js'
import { cacheLink } from './chain-cache.js'
import { type Link, roleChainingMaxSeconds, type Walk } from './chain-context.js'
import { credentialProcessProvider } from './credential-process-provider.js'
import type { SessionKey } from './provider.js'
import { roleSessionName } from './role-session-name.js'
import { ssoRoleProvider } from './sso-provider.js'
import { stsTarget } from './sts-target.js'
import { webIdentityProvider } from './web-identity-provider.js'

// Building each link of the chain that is not a GetSessionToken session (chain-session.ts): a role
// over its source, and the sources of a profile without keys or source_profile.

/** AssumeRole over the source link: the duration capped for role chaining, MFA unless already satisfied. */
export function roleLink(p: ResolvedProfile, source: Link, walk: Walk, path: ResolvedProfile[]): Link {
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
    provider: cacheLink(provider, key, walk, handedOut ? duration : undefined, p),
    kind: 'role',
    mfaUsed: p.mfaSerial ?? source.mfaUsed,
  }
}

/** A profile with neither stored keys nor source_profile: web identity, credential_process, or an error. */
export function sourceless(p: ResolvedProfile, walk: Walk, path: ResolvedProfile[]): Link {
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
    return { provider: cacheLink(provider, key, walk, undefined, p), kind: 'role' }
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
    return { provider: cacheLink(provider, key, walk, handedOut ? p.assumeRoleDuration : undefined, p), kind: 'role' }
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
    return { provider: cacheLink(provider, key, walk, undefined, p), kind: 'external' }
  }

  const whose = p.name === walk.active ? `profile "${p.name}"` : `profile "${walk.active}": source profile "${p.name}"`
  throw new NotFoundError(`${whose} has no credentials in the keychain`, `run: vault add ${p.name}`)
}
