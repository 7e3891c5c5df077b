import type { AwsCredentials } from '../aws/credentials.js'
import { transportError } from '../aws/errors.js'
import { sdkCaller, sdkModule } from '../aws/sdk-adapter.js'
import { AwsCallError } from '../errors.js'
import { clamp } from '../vault/sso/device-login.js'
import type {
  AccountInfo,
  ClientRegistration,
  OidcPort,
  PortalPort,
  SsoPorts,
  TokenGrant,
} from '../vault/sso/sso-port.js'

/** The latest time a Date can hold, in seconds (8.64e15 ms). */
const maxDateS = 8.64e12

const deviceGrant = 'urn:ietf:params:oauth:grant-type:device_code'

/**
 * The real SSO OIDC and portal adapters. The SDK clients are imported on the first call, so a
 * cache hit (role credentials in the session store) never loads them.
 */
export const sdkSsoPorts: SsoPorts = {
  oidc(target) {
    const where = target.oidcEndpoint ?? `oidc.${target.region}.amazonaws.com`
    const call = sdkCaller(
      sdkModule<typeof import('@aws-sdk/client-sso-oidc')>('@aws-sdk/client-sso-oidc'),
      (sdk, config) => new sdk.SSOOIDCClient(config),
      { region: target.region, endpoint: target.oidcEndpoint },
      (operation, err) => mapSsoError(operation, err, where),
    )
    const grant = (out: { accessToken?: string; expiresIn?: number; refreshToken?: string }): TokenGrant => {
      if (!out.accessToken) throw new AwsCallError('CreateToken returned no access token', 'EmptyResponse')
      return { accessToken: out.accessToken, expiresIn: out.expiresIn ?? 0, refreshToken: out.refreshToken }
    }
    const port: OidcPort = {
      registerClient: (input) =>
        call('RegisterClient', async ({ client: c, sdk }) => {
          const out = await c.send(
            new sdk.RegisterClientCommand({ clientName: input.clientName, clientType: 'public', scopes: input.scopes }),
          )
          if (!out.clientId || !out.clientSecret)
            throw new AwsCallError('RegisterClient returned no client', 'EmptyResponse')
          return {
            clientId: out.clientId,
            clientSecret: out.clientSecret,
            // An endpoint's 10^18 s would be an Invalid Date: the latest time a Date holds is enough.
            expiresAt: new Date(clamp(out.clientSecretExpiresAt, 0, maxDateS, 0) * 1000),
          } satisfies ClientRegistration
        }),
      startDeviceAuthorization: (client, startUrl) =>
        call('StartDeviceAuthorization', async ({ client: c, sdk }) => {
          const out = await c.send(
            new sdk.StartDeviceAuthorizationCommand({
              clientId: client.clientId,
              clientSecret: client.clientSecret,
              startUrl,
            }),
          )
          if (!out.deviceCode || !out.userCode || !out.verificationUri)
            throw new AwsCallError('StartDeviceAuthorization returned no device code', 'EmptyResponse')
          return {
            deviceCode: out.deviceCode,
            userCode: out.userCode,
            verificationUri: out.verificationUri,
            verificationUriComplete: out.verificationUriComplete,
            expiresIn: out.expiresIn ?? 600,
            interval: out.interval ?? 5,
          }
        }),
      createTokenWithDeviceCode: (client, deviceCode) =>
        call('CreateToken', async ({ client: c, sdk }) =>
          grant(
            await c.send(
              new sdk.CreateTokenCommand({
                clientId: client.clientId,
                clientSecret: client.clientSecret,
                grantType: deviceGrant,
                deviceCode,
              }),
            ),
          ),
        ),
      createTokenWithRefreshToken: (client, refreshToken) =>
        call('CreateToken', async ({ client: c, sdk }) =>
          grant(
            await c.send(
              new sdk.CreateTokenCommand({
                clientId: client.clientId,
                clientSecret: client.clientSecret,
                grantType: 'refresh_token',
                refreshToken,
              }),
            ),
          ),
        ),
    }
    return port
  },

  portal(target) {
    const where = target.portalEndpoint ?? `portal.sso.${target.region}.amazonaws.com`
    const call = sdkCaller(
      sdkModule<typeof import('@aws-sdk/client-sso')>('@aws-sdk/client-sso'),
      (sdk, config) => new sdk.SSOClient(config),
      { region: target.region, endpoint: target.portalEndpoint },
      (operation, err) => mapSsoError(operation, err, where),
    )
    const port: PortalPort = {
      getRoleCredentials: (accessToken, accountId, roleName) =>
        call('GetRoleCredentials', async ({ client: c, sdk }) => {
          const out = await c.send(new sdk.GetRoleCredentialsCommand({ accessToken, accountId, roleName }))
          const r = out.roleCredentials
          if (!r?.accessKeyId || !r.secretAccessKey)
            throw new AwsCallError('GetRoleCredentials returned no credentials', 'EmptyResponse')
          return {
            accessKeyId: r.accessKeyId,
            secretAccessKey: r.secretAccessKey,
            sessionToken: r.sessionToken,
            // The portal gives milliseconds since the epoch.
            expiration: new Date(r.expiration ?? 0),
          } satisfies AwsCredentials
        }),
      listAccounts: (accessToken) =>
        call('ListAccounts', async ({ client: c, sdk }) => {
          const accounts: AccountInfo[] = []
          for await (const page of sdk.paginateListAccounts({ client: c }, { accessToken }))
            for (const a of page.accountList ?? [])
              if (a.accountId) accounts.push({ accountId: a.accountId, accountName: a.accountName })
          return accounts
        }),
      listAccountRoles: (accessToken, accountId) =>
        call('ListAccountRoles', async ({ client: c, sdk }) => {
          const roles: string[] = []
          for await (const page of sdk.paginateListAccountRoles({ client: c }, { accessToken, accountId }))
            for (const r of page.roleList ?? []) if (r.roleName) roles.push(r.roleName)
          return roles
        }),
    }
    return port
  },
}

/**
 * One line per failure, with the code the flow branches on: the OAuth error of SSO OIDC
 * (authorization_pending, slow_down, expired_token, invalid_grant, invalid_client, access_denied)
 * or the portal's exception name (UnauthorizedException for a rejected access token).
 */
export function mapSsoError(operation: string, err: unknown, where: string): AwsCallError {
  const e = err as { name?: string; error?: string; message?: string }
  // Unreachable, silent or not answering as IAM Identity Center: the shared transport mapping.
  const transport = transportError(operation, err, {
    service: 'IAM Identity Center',
    where,
    settings: 'AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL',
  })
  if (transport) return transport
  const code = e?.error ?? e?.name ?? 'Unknown'
  const message = (e?.message ?? String(err)).split('\n')[0]
  return new AwsCallError(
    `${operation} failed: ${code}${message && message !== code ? `: ${message}` : ''}`,
    code,
    undefined,
    { cause: err },
  )
}
