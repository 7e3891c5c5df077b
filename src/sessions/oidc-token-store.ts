import { goField, goMarshal, goString, parseJson } from '../stores/go-json.js'
import type { SecretStore } from '../stores/secret-store.js'
import { INDEX_KEY } from '../stores/store-index.js'
import { rfc3339 } from './session-data.js'

/** aws-vault's item prefix for OIDC tokens (vault/oidctokenkeyring.go: `oidc:` + start URL). */
export const OIDC_PREFIX = 'oidc:'

/** An SSO OIDC token and the client registration it was issued to. */
export interface StoredOidcToken {
  /** '' when only the registration is kept (the token was rejected or could not be refreshed). */
  accessToken: string
  expiresAt: Date
  refreshToken?: string
  clientId?: string
  clientSecret?: string
  clientSecretExpiresAt?: Date
  /** The sso_registration_scopes the client was registered with (vault's addition; aws-vault ignores it). */
  scopes?: string[]
}

export interface ListedOidcToken {
  startUrl: string
  expiresAt: Date
  refreshable: boolean
}

/**
 * OIDC tokens in aws-vault's format (OIDCTokenData: {"Token": CreateTokenOutput, "Expiration",
 * "ClientID", "ClientSecret", "ClientSecretExpiresAt"}), one item per start URL named
 * `oidc:<start url>`, so `aws-vault list` and `aws-vault clear` recognise them and either tool can
 * refresh the other's token. The token's secrets live only in the backend (keychain or encrypted
 * file); the item key names the start URL, which is not a secret.
 */
export class OidcTokenStore {
  constructor(private readonly store: SecretStore) {}

  async get(startUrl: string): Promise<StoredOidcToken | null> {
    const item = await this.store.get(OIDC_PREFIX + startUrl)
    return item ? parseOidcToken(item.data) : null
  }

  async set(startUrl: string, token: StoredOidcToken): Promise<void> {
    await this.store.set({
      key: OIDC_PREFIX + startUrl,
      data: marshalOidcToken(token),
      label: `aws-vault oidc token for ${startUrl} (expires ${rfc3339(token.expiresAt)})`,
      description: 'aws-vault oidc token',
    })
  }

  async remove(startUrl: string): Promise<boolean> {
    return this.store.remove(OIDC_PREFIX + startUrl)
  }

  /** The start URLs with an item (the store index's own `oidc:vault-index` item is not one). */
  async startUrls(): Promise<string[]> {
    return (await this.store.keys())
      .filter((k) => k.startsWith(OIDC_PREFIX) && k !== INDEX_KEY)
      .map((k) => k.slice(OIDC_PREFIX.length))
      .sort()
  }

  /** Every stored token with an access token, expired ones too. */
  async list(): Promise<ListedOidcToken[]> {
    const out: ListedOidcToken[] = []
    for (const startUrl of await this.startUrls()) {
      const token = await this.get(startUrl)
      if (token?.accessToken)
        out.push({ startUrl, expiresAt: token.expiresAt, refreshable: Boolean(token.refreshToken && token.clientId) })
    }
    return out
  }

  async removeAll(): Promise<number> {
    let removed = 0
    for (const startUrl of await this.startUrls()) if (await this.remove(startUrl)) removed++
    return removed
  }
}

/** Go's struct field order; nil pointers marshal as null, and middleware.Metadata as {}. */
export function marshalOidcToken(t: StoredOidcToken): string {
  const expiresIn = Math.max(0, Math.round((t.expiresAt.getTime() - Date.now()) / 1000))
  const data: Record<string, unknown> = {
    Token: {
      AccessToken: t.accessToken || null,
      ExpiresIn: expiresIn,
      IdToken: null,
      RefreshToken: t.refreshToken ?? null,
      TokenType: t.accessToken ? 'Bearer' : null,
      ResultMetadata: {},
    },
    Expiration: rfc3339(t.expiresAt),
  }
  if (t.clientId) data.ClientID = t.clientId
  if (t.clientSecret) data.ClientSecret = t.clientSecret
  if (t.clientSecretExpiresAt) data.ClientSecretExpiresAt = rfc3339(t.clientSecretExpiresAt)
  if (t.scopes) data.Scopes = t.scopes
  return goMarshal(data)
}

export function parseOidcToken(data: string): StoredOidcToken | null {
  const obj = parseJson(data)
  const token = goField(obj, 'Token')
  const expiration = Date.parse(goString(obj, 'Expiration') ?? '')
  if (Number.isNaN(expiration)) return null
  const secretExpiry = Date.parse(goString(obj, 'ClientSecretExpiresAt') ?? '')
  const scopes = goField(obj, 'Scopes')
  return {
    accessToken: goString(token, 'AccessToken') ?? '',
    expiresAt: new Date(expiration),
    refreshToken: goString(token, 'RefreshToken') || undefined,
    clientId: goString(obj, 'ClientID') || undefined,
    clientSecret: goString(obj, 'ClientSecret') || undefined,
    // Go's zero time (0001-01-01) means "no expiry recorded".
    clientSecretExpiresAt: Number.isNaN(secretExpiry) || secretExpiry < 0 ? undefined : new Date(secretExpiry),
    scopes: Array.isArray(scopes) && scopes.every((s) => typeof s === 'string') ? scopes : undefined,
  }
}
