import type { AwsCredentials } from '../../aws/credentials.js'

/** Where the SSO OIDC and portal calls go: the region, and an endpoint override for tests. */
export interface SsoTarget {
  region: string
  /** AWS_ENDPOINT_URL_SSO_OIDC (or AWS_ENDPOINT_URL). */
  oidcEndpoint?: string
  /** AWS_ENDPOINT_URL_SSO (or AWS_ENDPOINT_URL). */
  portalEndpoint?: string
}

export interface ClientRegistration {
  clientId: string
  clientSecret: string
  /** When the registration (the client secret) expires. */
  expiresAt: Date
}

export interface DeviceAuthorization {
  deviceCode: string
  userCode: string
  verificationUri: string
  verificationUriComplete?: string
  /** Seconds the device code lives. */
  expiresIn: number
  /** Seconds between polls. */
  interval: number
}

export interface TokenGrant {
  accessToken: string
  /** Seconds. */
  expiresIn: number
  refreshToken?: string
}

/** The SSO OIDC service (oidc.REGION.amazonaws.com). Errors are SsoError with the OAuth code. */
export interface OidcPort {
  registerClient(input: { clientName: string; scopes?: string[] }): Promise<ClientRegistration>
  startDeviceAuthorization(client: ClientRegistration, startUrl: string): Promise<DeviceAuthorization>
  createTokenWithDeviceCode(client: ClientRegistration, deviceCode: string): Promise<TokenGrant>
  createTokenWithRefreshToken(client: ClientRegistration, refreshToken: string): Promise<TokenGrant>
}

export interface AccountInfo {
  accountId: string
  accountName?: string
}

/** The SSO portal (portal.sso.REGION.amazonaws.com), authorised by an access token. */
export interface PortalPort {
  getRoleCredentials(accessToken: string, accountId: string, roleName: string): Promise<AwsCredentials>
  listAccounts(accessToken: string): Promise<AccountInfo[]>
  listAccountRoles(accessToken: string, accountId: string): Promise<string[]>
}

export interface SsoPorts {
  oidc(target: SsoTarget): OidcPort
  portal(target: SsoTarget): PortalPort
}

/** The endpoints the AWS SDKs and CLI take from the environment, in their order. */
export function ssoTarget(region: string, env: Readonly<Record<string, string | undefined>>): SsoTarget {
  return {
    region,
    oidcEndpoint: env.AWS_ENDPOINT_URL_SSO_OIDC || env.AWS_ENDPOINT_URL || undefined,
    portalEndpoint: env.AWS_ENDPOINT_URL_SSO || env.AWS_ENDPOINT_URL || undefined,
  }
}
