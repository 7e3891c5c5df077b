import type { ResolvedProfile } from '../config/types.js'
import { ConfigError } from '../errors.js'
import type { Chain, ChainContext, Link, Walk } from './chain-context.js'
import { roleLink, sourceless } from './chain-links.js'
import { prime } from './chain-session.js'
import { masterKeysProvider } from './master-keys-provider.js'
import type { CredentialProvider } from './provider.js'

export type { Chain, ChainContext, LinkKind } from './chain-context.js'
export { roleChainingMaxSeconds } from './chain-context.js'

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
 * The decision is `link` below; the links it builds are in chain-session.ts (GetSessionToken),
 * chain-links.ts (AssumeRole, SSO, web identity, credential_process) and chain-cache.ts (the
 * cache decorator over each, with the SSO sign-in lock wait).
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
  // 1a. Stored long-term keys (the index, else the store itself: confirmedKeys).
  if ((await ctx.keys.has(p.name)) || (await confirmedKeys(p, ctx))) {
    log.debug(`profile ${p.name}: using stored long-term keys`)
    base = { provider: masterKeysProvider(ctx.keys, p.name, walk.active, ctx.trace), kind: 'keys' }
  } else if (p.source) {
    // 1b. source_profile, resolved recursively.
    log.debug(
      `profile ${p.name}: ${p.roleArn ? 'sourcing credentials from' : 'no role_arn; using the credentials of'} source profile ${p.source.name}`,
    )
    base = await link(p.source, walk, [p, ...path])
  } else {
    // 2–4. SSO, web identity, credential_process; else "run: vault add".
    return sourceless(p, walk, path)
  }
  // Over long-term keys: a GetSessionToken session when it is worth one.
  if (base.kind === 'keys') base = prime(p, base, walk, path)
  if (!p.roleArn) return base
  // role_arn: AssumeRole over whatever the source gives.
  return roleLink(p, base, walk, path)
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
