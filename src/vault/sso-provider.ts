import type { ResolvedProfile } from '../config/types.js'
import { ConfigError } from '../errors.js'
import type { Logger } from '../runtime/types.js'
import type { ObtainTrace } from './hand-out.js'
import type { CredentialProvider } from './provider.js'
import type { SsoPorts } from './sso/sso-port.js'
import { ssoTarget } from './sso/sso-port.js'
import { type SsoSession, type TokenSourceDeps, tokenSource } from './sso/token-source.js'

/** What an SSO link needs beyond the chain's clock, log, lock and env. */
export interface SsoContext extends Omit<TokenSourceDeps, 'oidc' | 'clock' | 'log' | 'lock'> {
  ports: SsoPorts
}

const defaultScopes = ['sso:account:access']

/** The SSO session a profile signs in with, or a ConfigError naming the missing key. */
export function ssoSessionOf(
  p: Pick<ResolvedProfile, 'name' | 'ssoSession' | 'ssoStartUrl' | 'ssoRegion' | 'ssoRegistrationScopes'>,
): SsoSession {
  const where = p.ssoSession ? `[sso-session ${p.ssoSession}]` : `profile "${p.name}"`
  if (!p.ssoStartUrl) throw new ConfigError(`${where}: sso_start_url is not set`, 'add sso_start_url = https://…/start')
  if (!p.ssoRegion)
    throw new ConfigError(`${where}: sso_region is not set`, 'add sso_region, the region of IAM Identity Center')
  const scopes = p.ssoRegistrationScopes
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return {
    startUrl: p.ssoStartUrl,
    region: p.ssoRegion,
    scopes: scopes?.length ? scopes : defaultScopes,
    name: p.ssoSession,
  }
}

/**
 * GetRoleCredentials for sso_account_id / sso_role_name with the session's access token, like
 * aws-vault's SSORoleCredentialsProvider: a 401 for a cached token drops the token and tries once
 * more with a fresh one (refreshed, or a new login).
 */
export function ssoRoleProvider(
  p: ResolvedProfile,
  deps: {
    sso: SsoContext
    clock: TokenSourceDeps['clock']
    log: Logger
    lock: TokenSourceDeps['lock']
    env: Readonly<Record<string, string | undefined>>
    trace?: ObtainTrace
  },
): CredentialProvider {
  const session = ssoSessionOf(p)
  const { ssoAccountId: accountId, ssoRoleName: roleName } = p
  if (!accountId || !roleName)
    throw new ConfigError(
      `profile "${p.name}": an SSO profile needs sso_account_id and sso_role_name`,
      'add both, or run: vault sso populate SESSION',
    )
  const target = ssoTarget(session.region, deps.env)
  const tokens = tokenSource(
    { ...deps.sso, oidc: deps.sso.ports.oidc(target), clock: deps.clock, log: deps.log, lock: deps.lock },
    session,
  )
  const portal = deps.sso.ports.portal(target)
  const fetch = async () => {
    const token = await tokens.get()
    try {
      return await portal.getRoleCredentials(token.accessToken, accountId, roleName)
    } catch (err) {
      if (!token.cached || (err as { code?: string }).code !== 'UnauthorizedException') throw err
      deps.log.debug(`profile ${p.name}: the SSO portal rejected the cached access token (401); getting a new one`)
      await tokens.invalidate(token.accessToken)
      const fresh = await tokens.get()
      return portal.getRoleCredentials(fresh.accessToken, accountId, roleName)
    }
  }
  return {
    description: `SSO GetRoleCredentials for ${roleName} in ${accountId}`,
    async retrieve() {
      const creds = await fetch()
      deps.trace?.({
        kind: 'call',
        api: 'GetRoleCredentials',
        profile: p.name,
        ssoAccountId: accountId,
        ssoRoleName: roleName,
      })
      return creds
    },
  }
}
