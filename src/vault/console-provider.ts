import type { ResolvedProfile } from '../config/types.js'
import { type ChainContext, chainFor, providerFor } from './chain.js'
import { federationTokenProvider } from './federation-token-provider.js'
import { masterKeysProvider } from './master-keys-provider.js'
import type { CredentialProvider } from './provider.js'
import { stsTarget } from './sts-target.js'

export interface ConsoleCredentials {
  provider: CredentialProvider
  /**
   * role: AssumeRole credentials from the chain, used as they are; federation: GetFederationToken
   * over long-term keys; external: credential_process output (federated when it is long-term keys).
   */
  kind: 'role' | 'federation' | 'external'
  /** The role is assumed straight from long-term keys: the one case where AWS accepts SessionDuration. */
  acceptsSessionDuration: boolean
}

/**
 * Picks the credentials for a console sign-in. The federation endpoint takes temporary
 * credentials that are not a GetSessionToken session, so:
 *   1. a role profile uses the chain's role credentials directly;
 *   2. a profile with only long-term keys calls GetFederationToken with those keys (never with a
 *      session made from them: AWS refuses GetFederationToken with session credentials);
 *   3. credential_process output is used as it is, or federated when it is long-term keys.
 */
export async function consoleProviderFor(active: ResolvedProfile, ctx: ChainContext): Promise<ConsoleCredentials> {
  const { log } = ctx
  const p = await effective(active, ctx)
  if (await isRole(p, ctx)) {
    const chain = await chainFor(active, ctx)
    const direct = chain.roleFromKeys
    log.debug(
      `profile ${active.name}: signing in to the console as role ${p.roleArn}${direct ? ', assumed straight from long-term keys' : ''}`,
    )
    return { provider: chain.provider, kind: 'role', acceptsSessionDuration: direct }
  }
  if (await ctx.keys.has(p.name)) {
    log.debug(
      `profile ${active.name}: no role, so the console gets a federation token made with the long-term keys of ${p.name}`,
    )
    if (p.mfaSerial ?? active.mfaSerial) {
      log.debug(
        `profile ${active.name}: GetFederationToken cannot carry MFA; for an MFA console session, sign in through a role profile with mfa_serial`,
      )
    }
    const source = masterKeysProvider(ctx.keys, p.name, active.name, ctx.trace)
    return { provider: federation(source, p, active, ctx), kind: 'federation', acceptsSessionDuration: false }
  }
  // credential_process, or nothing usable: the chain uses the former and explains the latter.
  const inner = await providerFor(active, ctx)
  const provider: CredentialProvider = {
    description: `${inner.description} for the console`,
    async retrieve() {
      const creds = await inner.retrieve()
      if (creds.sessionToken) {
        log.debug(`profile ${active.name}: using the temporary credentials from ${inner.description} as they are`)
        return creds
      }
      log.debug(`profile ${active.name}: ${inner.description} gave long-term keys; making a federation token with them`)
      return federation({ description: inner.description, retrieve: async () => creds }, p, active, ctx).retrieve()
    },
  }
  return { provider, kind: 'external', acceptsSessionDuration: false }
}

/** Profiles with neither keys nor role_arn pass their source's credentials on, as in the chain. */
async function effective(p: ResolvedProfile, ctx: ChainContext): Promise<ResolvedProfile> {
  while (!p.roleArn && p.source && !(await ctx.keys.has(p.name))) p = p.source
  return p
}

/** True when the chain assumes p's role_arn (it ignores role_arn next to credential_process alone). */
async function isRole(p: ResolvedProfile, ctx: ChainContext): Promise<boolean> {
  if (!p.roleArn) return false
  return Boolean(p.source || p.webIdentityTokenFile || p.webIdentityTokenProcess || (await ctx.keys.has(p.name)))
}

function federation(
  source: CredentialProvider,
  p: ResolvedProfile,
  active: ResolvedProfile,
  ctx: ChainContext,
): CredentialProvider {
  return federationTokenProvider({
    source,
    profile: p.name,
    durationSeconds: active.federationTokenDuration,
    sts: ctx.sts,
    target: stsTarget(p, ctx.env),
    log: ctx.log,
    trace: ctx.trace,
  })
}
