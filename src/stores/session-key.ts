/**
 * aws-vault's cached-session item keys (vault/sessionkeyring.go):
 *   TYPE,b64url(profile),b64url(mfa_serial),EXPIRY_UNIX
 * e.g. `sts.GetSessionToken,Y2FrdHVz,YXJuOmF3czppYW06OjEyMzQ6bWZhL21l,1700000000`, base64url
 * without padding. Parsing uses aws-vault's own pattern so both tools agree on what is a session.
 */
export interface SessionIdentity {
  /** sts.GetSessionToken, sts.AssumeRole, sts.AssumeRoleWithWebIdentity, sts.GetFederationToken, … */
  type: string
  profile: string
  /** '' when the session was made without MFA. */
  mfaSerial: string
}

export interface ParsedSessionKey extends SessionIdentity {
  expiration: Date
  /** The item key as stored. */
  key: string
}

const SESSION_KEY = /^([^,]+),([^,]+),([^,]*),([0-9]+)$/

// Formats older aws-vault versions wrote; aws-vault deletes them, and they are not long-term keys.
const OLD_SESSION_KEYS = [
  /^session,([^,]+),([^,]*),([0-9]{2,})$/,
  /^session:([^ ]+):([^ ]*):([^:]+)$/,
  /^(.+?) session \((\d+)\)$/,
]

/** aws-vault's SSO token items: oidc:START_URL (vault/oidctokenkeyring.go). */
export const OIDC_PREFIX = 'oidc:'

export function formatSessionKey(id: SessionIdentity, expiration: Date): string {
  return `${sessionKeyPrefix(id)}${Math.floor(expiration.getTime() / 1000)}`
}

/** Everything before the expiry: what aws-vault matches an identity on. */
export function sessionKeyPrefix(id: SessionIdentity): string {
  return `${id.type},${b64url(id.profile)},${b64url(id.mfaSerial)},`
}

export function parseSessionKey(key: string): ParsedSessionKey | undefined {
  const m = SESSION_KEY.exec(key)
  if (!m) return undefined
  const profile = unb64url(m[2])
  const mfaSerial = unb64url(m[3])
  const seconds = Number(m[4])
  if (profile === undefined || mfaSerial === undefined || !Number.isSafeInteger(seconds)) return undefined
  return { type: m[1], profile, mfaSerial, expiration: new Date(seconds * 1000), key }
}

export function isOldSessionKey(key: string): boolean {
  return OLD_SESSION_KEYS.some((pattern) => pattern.test(key))
}

/** True for any item that is not a long-term key: sessions (current or old format) and SSO tokens. */
export function isNonCredentialKey(key: string): boolean {
  return key.startsWith(OIDC_PREFIX) || isOldSessionKey(key) || parseSessionKey(key) !== undefined
}

export function sameIdentity(a: SessionIdentity, b: SessionIdentity): boolean {
  return a.type === b.type && a.profile === b.profile && a.mfaSerial === b.mfaSerial
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url')
}

/** Go's RawURLEncoding.DecodeString: URL alphabet, no padding, no impossible lengths. */
function unb64url(s: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return undefined
  return Buffer.from(s, 'base64url').toString('utf8')
}
