import type { Clock, Logger } from '../runtime/types.js'
import type { OidcTokenStore, StoredOidcToken } from '../sessions/oidc-token-store.js'
import { formatRemaining, type LockFn, type LockWait } from '../vault/provider.js'
import { clamp, type DeviceLoginDeps, deviceLogin, deviceLoginLimitMs } from './device-login.js'
import type { ClientRegistration, OidcPort, TokenGrant } from './sso-port.js'

/** One IAM Identity Center sign-in: an [sso-session] section, or a legacy profile's sso_* keys. */
export interface SsoSession {
  startUrl: string
  region: string
  /** sso_registration_scopes; sso:account:access when unset, as the AWS CLI, so a refresh token comes. */
  scopes: string[]
  /** The sso-session name, which keys the AWS CLI's token cache file. */
  name?: string
}

export interface TokenSourceDeps extends Omit<DeviceLoginDeps, 'oidc'> {
  oidc: OidcPort
  tokens(): Promise<OidcTokenStore>
  lock: LockFn
  clock: Clock
  log: Logger
  /** A one-line notice on stderr (why a new login starts). */
  notice(line: string): void
  /** A valid token from the AWS CLI's cache for this session, if any. */
  awsCliToken?(session: SsoSession): Promise<{ accessToken: string; expiresAt: Date } | null>
}

export interface AccessToken {
  accessToken: string
  /** True when it came from a cache (so a 401 for it is worth one retry with a fresh token). */
  cached: boolean
}

/** A refreshable token is renewed this long before it expires (the AWS CLI's and aws-vault's window). */
export const refreshWindowMs = 15 * 60 * 1000
/** A token that cannot be refreshed is used while it has this long left. */
const minLeftMs = 60 * 1000
/** A stored client registration is reused while it has this long left. */
const registrationMarginMs = 60 * 60 * 1000
const clientName = 'vault'

/**
 * The longest an access token is taken to live: IAM Identity Center sessions last at most 90 days,
 * and an endpoint's expiresIn of 10^18 s would be no time at all (an Invalid Date).
 */
const maxTokenLifeS = 90 * 24 * 3600

/**
 * Processes that need the token while another one signs in wait for its device login to end: the
 * sign-in lock, and every credential cache lock whose holder may be signing in (vault/chain.ts).
 */
export const signInWait: LockWait = {
  waitMs: deviceLoginLimitMs + 60_000,
  hint: 'approve the SSO sign-in another vault process started (its code is on its terminal), or stop that process and try again',
}

/**
 * The access token for an SSO session: the stored one while it is fresh; else, under a
 * cross-process lock keyed by the start URL (so N processes start one device authorization and
 * open one browser tab), a refresh_token grant without a browser; else a device authorization.
 * The client registration is kept in the same item and reused until it expires.
 */
export function tokenSource(deps: TokenSourceDeps, session: SsoSession) {
  const { log, clock, startUrl } = { ...deps, startUrl: session.startUrl }
  const rejected = new Set<string>()
  const lockName = `sso.oidc,${startUrl}`

  const usable = (t: StoredOidcToken | null): boolean => {
    if (!t?.accessToken || rejected.has(t.accessToken)) return false
    const left = t.expiresAt.getTime() - clock.now().getTime()
    return left > (refreshable(t) ? refreshWindowMs : minLeftMs)
  }
  const refreshable = (t: StoredOidcToken) => Boolean(t.refreshToken && client(t) !== undefined)
  const client = (t: StoredOidcToken | null): ClientRegistration | undefined => {
    if (!t?.clientId || !t.clientSecret) return undefined
    const expiresAt = t.clientSecretExpiresAt ?? new Date(8.64e15)
    if (expiresAt.getTime() - clock.now().getTime() < registrationMarginMs) return undefined
    if (t.scopes && t.scopes.join(' ') !== session.scopes.join(' ')) return undefined
    return { clientId: t.clientId, clientSecret: t.clientSecret, expiresAt }
  }

  const store = async (grant: TokenGrant, c: ClientRegistration): Promise<string> => {
    const expiresIn = clamp(grant.expiresIn, 0, maxTokenLifeS, 0)
    const expiresAt = new Date(clock.now().getTime() + expiresIn * 1000)
    await (await deps.tokens()).set(startUrl, {
      accessToken: grant.accessToken,
      expiresAt,
      refreshToken: grant.refreshToken,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      clientSecretExpiresAt: c.expiresAt,
      scopes: session.scopes,
    })
    log.debug(
      `SSO ${startUrl}: stored the access token (expires in ${formatRemaining(expiresIn * 1000)}${grant.refreshToken ? ', with a refresh token' : ', no refresh token'})`,
    )
    return grant.accessToken
  }

  const fetchUnderLock = async (): Promise<AccessToken> => {
    const tokens = await deps.tokens()
    // Another process may have logged in or refreshed while we waited.
    const current = await tokens.get(startUrl)
    if (current && usable(current)) {
      log.debug(`SSO ${startUrl}: using the access token another process just stored`)
      return { accessToken: current.accessToken, cached: true }
    }
    const fromCli = await deps.awsCliToken?.(session)
    if (
      fromCli &&
      !rejected.has(fromCli.accessToken) &&
      fromCli.expiresAt.getTime() - clock.now().getTime() > minLeftMs
    ) {
      log.debug(`SSO ${startUrl}: using the AWS CLI's cached token (~/.aws/sso/cache)`)
      return { accessToken: fromCli.accessToken, cached: true }
    }
    let registration = client(current)
    if (current?.refreshToken && registration) {
      try {
        const grant = await deps.oidc.createTokenWithRefreshToken(registration, current.refreshToken)
        log.debug(`SSO ${startUrl}: refreshed the access token with the refresh token (no browser)`)
        return { accessToken: await store(grant, registration), cached: false }
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'error'
        const left = current.expiresAt.getTime() - clock.now().getTime()
        if (!isRefusal(code) && current.accessToken && left > 0) {
          log.debug(
            `SSO ${startUrl}: refresh failed (${code}); using the current token (expires in ${formatRemaining(left)})`,
          )
          return { accessToken: current.accessToken, cached: true }
        }
        deps.notice(`vault: the SSO session for ${startUrl} could not be refreshed (${code}); starting a new login`)
        if (code === 'invalid_client' || code === 'InvalidClientException') registration = undefined
      }
    } else if (current?.refreshToken && current.clientId) {
      deps.notice(`vault: the SSO client registration for ${startUrl} has expired; starting a new login`)
    } else if (current?.accessToken) {
      log.debug(`SSO ${startUrl}: the access token expired and cannot be refreshed; starting a new login`)
    }
    if (!registration) {
      registration = await deps.oidc.registerClient({
        clientName,
        scopes: session.scopes.length ? session.scopes : undefined,
      })
      log.debug(`SSO ${startUrl}: registered OIDC client (expires ${registration.expiresAt.toISOString()})`)
    } else {
      log.debug(`SSO ${startUrl}: reusing the stored OIDC client registration`)
    }
    const grant = await deviceLogin(deps, registration, startUrl)
    return { accessToken: await store(grant, registration), cached: false }
  }

  return {
    async get(): Promise<AccessToken> {
      const current = await (await deps.tokens()).get(startUrl)
      if (current && usable(current)) {
        log.debug(
          `SSO ${startUrl}: using the stored access token (expires in ${formatRemaining(current.expiresAt.getTime() - clock.now().getTime())})`,
        )
        return { accessToken: current.accessToken, cached: true }
      }
      return deps.lock(lockName, fetchUnderLock, signInWait)
    },

    /** The portal answered 401 for `accessToken`: forget it (keeping the registration and refresh token). */
    async invalidate(accessToken: string): Promise<void> {
      rejected.add(accessToken)
      await deps.lock(
        lockName,
        async () => {
          const tokens = await deps.tokens()
          const current = await tokens.get(startUrl)
          if (current?.accessToken !== accessToken) return
          log.debug(`SSO ${startUrl}: the portal rejected the stored access token; removing it`)
          // The refresh token stays: it may still be good, and then no browser is needed.
          await tokens.set(startUrl, { ...current, accessToken: '', expiresAt: clock.now() })
        },
        signInWait,
      )
    },
  }
}

export type TokenSource = ReturnType<typeof tokenSource>

/** OAuth answers that mean the refresh token or the registration is no good: log in again. */
function isRefusal(code: string): boolean {
  return [
    'invalid_grant',
    'InvalidGrantException',
    'invalid_client',
    'InvalidClientException',
    'expired_token',
    'ExpiredTokenException',
    'access_denied',
    'AccessDeniedException',
    'unauthorized_client',
    'UnauthorizedClientException',
  ].includes(code)
}
