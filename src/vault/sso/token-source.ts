import type { Clock, Logger } from '../../runtime/types.js'
import type { OidcTokenStore, StoredOidcToken } from '../../sessions/oidc-token-store.js'
import { formatRemaining, type LockFn, type LockWait } from '../provider.js'
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
export function tokenSource(deps: TokenSourceDeps, session: SsoSession): TokenSource {
  return new TokenSource(deps, session)
}

export class TokenSource {
  /** Access tokens the portal answered 401 for: never used again by this source. */
  private readonly rejected = new Set<string>()
  private readonly startUrl: string
  private readonly lockName: string

  constructor(
    private readonly deps: TokenSourceDeps,
    private readonly session: SsoSession,
  ) {
    this.startUrl = session.startUrl
    this.lockName = `sso.oidc,${session.startUrl}`
  }

  async get(): Promise<AccessToken> {
    const current = await (await this.deps.tokens()).get(this.startUrl)
    if (current && this.usable(current)) {
      this.deps.log.debug(
        `SSO ${this.startUrl}: using the stored access token (expires in ${formatRemaining(this.msLeft(current.expiresAt))})`,
      )
      return { accessToken: current.accessToken, cached: true }
    }
    return this.deps.lock(this.lockName, () => this.fetchUnderLock(), signInWait)
  }

  /** The portal answered 401 for `accessToken`: forget it (keeping the registration and refresh token). */
  async invalidate(accessToken: string): Promise<void> {
    this.rejected.add(accessToken)
    await this.deps.lock(this.lockName, () => this.dropStored(accessToken), signInWait)
  }

  private async dropStored(accessToken: string): Promise<void> {
    const tokens = await this.deps.tokens()
    const current = await tokens.get(this.startUrl)
    if (current?.accessToken !== accessToken) return
    this.deps.log.debug(`SSO ${this.startUrl}: the portal rejected the stored access token; removing it`)
    // The refresh token stays: it may still be good, and then no browser is needed.
    await tokens.set(this.startUrl, { ...current, accessToken: '', expiresAt: this.deps.clock.now() })
  }

  /** Under the lock: a token another process or the AWS CLI stored, else a refresh, else a device login. */
  private async fetchUnderLock(): Promise<AccessToken> {
    const current = await (await this.deps.tokens()).get(this.startUrl)
    const elsewhere = await this.storedElsewhere(current)
    if (elsewhere) return elsewhere
    let registration = this.client(current)
    if (current?.refreshToken && registration) {
      const refreshed = await this.refresh(current, registration)
      if ('accessToken' in refreshed) return refreshed
      if (refreshed.dropRegistration) registration = undefined
    } else if (current?.refreshToken && current.clientId) {
      this.deps.notice(`vault: the SSO client registration for ${this.startUrl} has expired; starting a new login`)
    } else if (current?.accessToken) {
      this.deps.log.debug(
        `SSO ${this.startUrl}: the access token expired and cannot be refreshed; starting a new login`,
      )
    }
    return this.login(registration)
  }

  /** A token another process stored while we waited for the lock, or the AWS CLI's cached one. */
  private async storedElsewhere(current: StoredOidcToken | null): Promise<AccessToken | undefined> {
    const { log } = this.deps
    if (current && this.usable(current)) {
      log.debug(`SSO ${this.startUrl}: using the access token another process just stored`)
      return { accessToken: current.accessToken, cached: true }
    }
    const fromCli = await this.deps.awsCliToken?.(this.session)
    if (fromCli && !this.rejected.has(fromCli.accessToken) && this.msLeft(fromCli.expiresAt) > minLeftMs) {
      log.debug(`SSO ${this.startUrl}: using the AWS CLI's cached token (~/.aws/sso/cache)`)
      return { accessToken: fromCli.accessToken, cached: true }
    }
    return undefined
  }

  /**
   * A refresh_token grant (no browser). When it fails for a reason other than a refusal, the current
   * token is used while it lasts; otherwise a new login follows, with a new registration when the
   * endpoint refused the client.
   */
  private async refresh(
    current: StoredOidcToken,
    registration: ClientRegistration,
  ): Promise<AccessToken | { dropRegistration: boolean }> {
    const { log } = this.deps
    try {
      const grant = await this.deps.oidc.createTokenWithRefreshToken(registration, current.refreshToken as string)
      log.debug(`SSO ${this.startUrl}: refreshed the access token with the refresh token (no browser)`)
      return { accessToken: await this.store(grant, registration), cached: false }
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error'
      const left = this.msLeft(current.expiresAt)
      if (!isRefusal(code) && current.accessToken && left > 0) {
        log.debug(
          `SSO ${this.startUrl}: refresh failed (${code}); using the current token (expires in ${formatRemaining(left)})`,
        )
        return { accessToken: current.accessToken, cached: true }
      }
      this.deps.notice(
        `vault: the SSO session for ${this.startUrl} could not be refreshed (${code}); starting a new login`,
      )
      return { dropRegistration: code === 'invalid_client' || code === 'InvalidClientException' }
    }
  }

  /** A device authorization (the browser), with the stored registration or a new one. */
  private async login(stored: ClientRegistration | undefined): Promise<AccessToken> {
    const { log } = this.deps
    let registration = stored
    if (!registration) {
      registration = await this.deps.oidc.registerClient({
        clientName,
        scopes: this.session.scopes.length ? this.session.scopes : undefined,
      })
      log.debug(`SSO ${this.startUrl}: registered OIDC client (expires ${registration.expiresAt.toISOString()})`)
    } else {
      log.debug(`SSO ${this.startUrl}: reusing the stored OIDC client registration`)
    }
    const grant = await deviceLogin(this.deps, registration, this.startUrl)
    return { accessToken: await this.store(grant, registration), cached: false }
  }

  private async store(grant: TokenGrant, c: ClientRegistration): Promise<string> {
    const expiresIn = clamp(grant.expiresIn, 0, maxTokenLifeS, 0)
    const expiresAt = new Date(this.deps.clock.now().getTime() + expiresIn * 1000)
    await (await this.deps.tokens()).set(this.startUrl, {
      accessToken: grant.accessToken,
      expiresAt,
      refreshToken: grant.refreshToken,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      clientSecretExpiresAt: c.expiresAt,
      scopes: this.session.scopes,
    })
    this.deps.log.debug(
      `SSO ${this.startUrl}: stored the access token (expires in ${formatRemaining(expiresIn * 1000)}${grant.refreshToken ? ', with a refresh token' : ', no refresh token'})`,
    )
    return grant.accessToken
  }

  private usable(t: StoredOidcToken | null): t is StoredOidcToken {
    if (!t?.accessToken || this.rejected.has(t.accessToken)) return false
    return this.msLeft(t.expiresAt) > (this.refreshable(t) ? refreshWindowMs : minLeftMs)
  }

  private refreshable(t: StoredOidcToken): boolean {
    return Boolean(t.refreshToken && this.client(t) !== undefined)
  }

  /** The stored client registration, while it has a margin left and was made for these scopes. */
  private client(t: StoredOidcToken | null): ClientRegistration | undefined {
    if (!t?.clientId || !t.clientSecret) return undefined
    const expiresAt = t.clientSecretExpiresAt ?? new Date(8.64e15)
    if (this.msLeft(expiresAt) < registrationMarginMs) return undefined
    if (t.scopes && t.scopes.join(' ') !== this.session.scopes.join(' ')) return undefined
    return { clientId: t.clientId, clientSecret: t.clientSecret, expiresAt }
  }

  private msLeft(when: Date): number {
    return when.getTime() - this.deps.clock.now().getTime()
  }
}

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
