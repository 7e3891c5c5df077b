import { ConfigFile, configFilePath } from '../config/config-file.js'
import { printable } from '../output/printable.js'
import type { Runtime } from '../runtime/runtime.js'

export interface ListedSession {
  type: string
  expiresInSeconds: number
  expiration: string
  /** The MFA device the session was made with, or null. */
  mfaSerial: string | null
}

export interface ListedProfile {
  profile: string
  /** The profile whose keys are stored under this name, or null. */
  credentials: string | null
  sessions: ListedSession[]
  /** False for stored keys or sessions whose profile has no section in the config file. */
  inConfig: boolean
}

/**
 * The keys of aws-vault's ProfileSection struct (vault/config.go). aws-vault hides a [default]
 * section that sets none of them (ProfileSections: "ignore the default profile if it's empty"),
 * e.g. one that holds only `output = json`.
 */
const PROFILE_SECTION_KEYS = [
  'mfa_serial',
  'role_arn',
  'external_id',
  'region',
  'role_session_name',
  'duration_seconds',
  'source_profile',
  'include_profile',
  'sso_session',
  'sso_start_url',
  'sso_region',
  'sso_account_id',
  'sso_role_name',
  'web_identity_token_file',
  'web_identity_token_process',
  'sts_regional_endpoints',
  'endpoint_url',
  'session_tags',
  'transitive_session_tags',
  'source_identity',
  'credential_process',
  'mfa_process',
]

/**
 * `vault list`: every profile in config-file order (an empty [default] hidden, as aws-vault does),
 * then stored keys and sessions with no section. One listing of the store serves the whole table.
 */
export async function listProfiles(rt: Runtime): Promise<ListedProfile[]> {
  const config = await ConfigFile.load(configFilePath(rt.env, rt.homedir), rt.log)
  const [stored, sessions] = await Promise.all([rt.keys().then((k) => k.list()), rt.sessions().then((s) => s.list())])
  const now = rt.clock.now().getTime()
  const configured = config.profileNames().filter((name) => {
    if (name !== 'default') return true
    const values = config.section(name)?.values ?? {}
    return PROFILE_SECTION_KEYS.some((k) => values[k])
  })
  const names = [...configured]
  for (const name of stored) if (!names.includes(name)) names.push(name)
  const storedSet = new Set(stored)
  const byProfile = new Map<string, ListedSession[]>()
  for (const s of sessions) {
    const left = s.expiration.getTime() - now
    if (left <= 0) continue
    const list = byProfile.get(s.profile) ?? []
    list.push({
      type: s.type,
      expiresInSeconds: Math.floor(left / 1000),
      expiration: s.expiration.toISOString(),
      mfaSerial: s.mfaSerial || null,
    })
    byProfile.set(s.profile, list)
  }
  for (const profile of byProfile.keys()) if (!names.includes(profile)) names.push(profile)
  const inConfig = new Set(configured)
  await addOidcTokens(rt, config, byProfile, now)
  return names.map((profile) => ({
    profile,
    credentials: storedSet.has(profile) ? profile : null,
    sessions: byProfile.get(profile) ?? [],
    inConfig: inConfig.has(profile),
  }))
}

/**
 * The OIDC token of each profile's start URL, labelled as ByteNess aws-vault labels it (cli/list.go
 * oidcLabel): `oidc:<sso-session name>`, else `oidc:<start URL host>`, with the time left (0s when
 * it has expired but can still be refreshed), as vault shows for sessions. One read per start URL
 * named in the config. Unlike ByteNess, a token no profile names is not listed: finding it would
 * take a listing of the keychain, which reads every item's secret (`vault clear` removes it).
 */
async function addOidcTokens(rt: Runtime, config: ConfigFile, byProfile: Map<string, ListedSession[]>, now: number) {
  const urls = new Map<string, { url: string; session?: string }>()
  for (const name of config.profileNames()) {
    const sso = config.ssoStartUrl(name)
    if (sso) urls.set(name, sso)
  }
  if (urls.size === 0) return
  const [{ OidcTokenStore }, store] = await Promise.all([import('../sessions/oidc-token-store.js'), rt.store()])
  const tokens = new OidcTokenStore(store)
  const found = new Map<string, ReturnType<typeof tokens.get>>()
  for (const { url } of urls.values()) if (!found.has(url)) found.set(url, tokens.get(url))
  for (const [profile, { url, session }] of urls) {
    const token = await found.get(url)
    if (!token?.accessToken) continue
    const left = Math.max(0, token.expiresAt.getTime() - now)
    if (left === 0 && !token.refreshToken) continue
    const listed: ListedSession = {
      type: `oidc:${session ?? hostOf(url)}`,
      expiresInSeconds: Math.floor(left / 1000),
      expiration: token.expiresAt.toISOString(),
      mfaSerial: null,
    }
    byProfile.set(profile, [listed, ...(byProfile.get(profile) ?? [])])
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || url
  } catch {
    return url
  }
}

/** Go's time.Duration.String() of whole seconds, as aws-vault prints time left: 7h59m59s, 1h0m0s, 59s. */
export function goDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (h > 0) return `${h}h${m}m${s % 60}s`
  if (m > 0) return `${m}m${s % 60}s`
  return `${s}s`
}

/**
 * aws-vault's session label (cli/list.go sessionLabel): `sts.GetSessionToken:7h59m59s`. When one
 * profile holds two sessions of a type, one with MFA and one without, the labels alone would be
 * twins; vault then marks the MFA one ` (MFA)` (a deliberate addition to aws-vault's format).
 */
function sessionLabels(sessions: ListedSession[]): string[] {
  return sessions.map((s) => {
    const label = `${s.type}:${goDuration(s.expiresInSeconds)}`
    const twin = sessions.some((o) => o !== s && o.type === s.type && Boolean(o.mfaSerial) !== Boolean(s.mfaSerial))
    return twin && s.mfaSerial ? `${label} (MFA)` : label
  })
}

/** The Profile | Credentials | Sessions table. */
export function renderTable(rows: ListedProfile[]): string {
  const cells = [
    ['Profile', 'Credentials', 'Sessions'],
    ['=======', '===========', '========'],
    ...rows.map((r) => [
      printable(r.profile),
      r.credentials == null ? '-' : printable(r.credentials),
      sessionLabels(r.sessions).join(', ') || '-',
    ]),
  ]
  const widths = [0, 1].map((i) => Math.max(...cells.map((c) => c[i].length)))
  return cells.map((c) => `${c[0].padEnd(widths[0])}  ${c[1].padEnd(widths[1])}  ${c[2]}`.trimEnd()).join('\n') + '\n'
}

export type ListMode = 'table' | 'profiles' | 'credentials' | 'sessions'

/** stdout for `vault list` in each mode, as aws-vault's cli/list.go (--json is rendered by oclif, or the fast path). */
export function renderList(rows: ListedProfile[], mode: ListMode): string {
  const lines = (items: string[]) => items.map((l) => `${printable(l)}\n`).join('')
  switch (mode) {
    case 'profiles':
      // Profile sections only: stored keys without a section are not profiles.
      return lines(rows.filter((r) => r.inConfig).map((r) => r.profile))
    case 'credentials':
      return lines(rows.filter((r) => r.credentials).map((r) => r.profile))
    case 'sessions':
      return lines(rows.flatMap((r) => sessionLabels(r.sessions)))
    default:
      return renderTable(rows)
  }
}
