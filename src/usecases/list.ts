import { ConfigFile, configFilePath } from '../config/config-file.js'
import type { Runtime } from '../runtime/runtime.js'
import { formatRemaining } from '../vault/provider.js'

export interface ListedSession {
  type: string
  expiresInSeconds: number
  expiration: string
}

export interface ListedProfile {
  profile: string
  /** The profile whose keys are stored under this name, or null. */
  credentials: string | null
  sessions: ListedSession[]
}

/**
 * `vault list`: every profile in config-file order, then stored keys with no section. One listing
 * of the store serves the whole table (no round trip per profile).
 */
export async function listProfiles(rt: Runtime): Promise<ListedProfile[]> {
  const config = await ConfigFile.load(configFilePath(rt.env, rt.homedir), rt.log)
  const [stored, sessions] = await Promise.all([rt.keys().then((k) => k.list()), rt.sessions().then((s) => s.list())])
  const now = rt.clock.now().getTime()
  const names = config.profileNames()
  for (const name of stored) if (!names.includes(name)) names.push(name)
  const storedSet = new Set(stored)
  const byProfile = new Map<string, ListedSession[]>()
  for (const s of sessions) {
    const left = s.expiration.getTime() - now
    if (left <= 0) continue
    const list = byProfile.get(s.profile) ?? []
    list.push({ type: s.type, expiresInSeconds: Math.floor(left / 1000), expiration: s.expiration.toISOString() })
    byProfile.set(s.profile, list)
  }
  for (const profile of byProfile.keys()) if (!names.includes(profile)) names.push(profile)
  await addOidcTokens(rt, config, byProfile, now)
  return names.map((profile) => ({
    profile,
    credentials: storedSet.has(profile) ? profile : null,
    sessions: byProfile.get(profile) ?? [],
  }))
}

/**
 * Each SSO profile's OIDC token, as aws-vault lists it (`oidc:<start url>`) with its time left
 * (0s when it has expired but can still be refreshed). One read per start URL named in the
 * config: no full listing of the store.
 */
async function addOidcTokens(rt: Runtime, config: ConfigFile, byProfile: Map<string, ListedSession[]>, now: number) {
  const urls = new Map<string, string>()
  for (const name of config.profileNames()) {
    const values = config.section(name)?.values ?? {}
    const url = values.sso_session ? config.ssoSession(values.sso_session)?.values.sso_start_url : values.sso_start_url
    if (url) urls.set(name, url)
  }
  if (urls.size === 0) return
  const [{ OidcTokenStore }, store] = await Promise.all([import('../stores/oidc-token-store.js'), rt.store()])
  const tokens = new OidcTokenStore(store)
  const found = new Map<string, Promise<Awaited<ReturnType<typeof tokens.get>>>>()
  for (const url of urls.values()) if (!found.has(url)) found.set(url, tokens.get(url))
  for (const [profile, url] of urls) {
    const token = await found.get(url)
    if (!token?.accessToken) continue
    const left = Math.max(0, token.expiresAt.getTime() - now)
    if (left === 0 && !token.refreshToken) continue
    const list = byProfile.get(profile) ?? []
    list.unshift({
      type: `oidc:${url}`,
      expiresInSeconds: Math.floor(left / 1000),
      expiration: token.expiresAt.toISOString(),
    })
    byProfile.set(profile, list)
  }
}

/** The Profile | Credentials | Sessions table, with `sts.GetSessionToken:7h59m` style sessions. */
export function renderTable(rows: ListedProfile[]): string {
  const cells = [
    ['Profile', 'Credentials', 'Sessions'],
    ['=======', '===========', '========'],
    ...rows.map((r) => [
      r.profile,
      r.credentials ?? '-',
      r.sessions.map((s) => `${s.type}:${formatRemaining(s.expiresInSeconds * 1000)}`).join(', ') || '-',
    ]),
  ]
  const widths = [0, 1].map((i) => Math.max(...cells.map((c) => c[i].length)))
  return cells.map((c) => `${c[0].padEnd(widths[0])}  ${c[1].padEnd(widths[1])}  ${c[2]}`.trimEnd()).join('\n') + '\n'
}

export type ListMode = 'table' | 'profiles' | 'credentials' | 'sessions'

/** stdout for `vault list` in each mode (--json is rendered by oclif, or the fast path). */
export function renderList(rows: ListedProfile[], mode: ListMode): string {
  const lines = (items: string[]) => items.map((l) => `${l}\n`).join('')
  switch (mode) {
    case 'profiles':
      return lines(rows.map((r) => r.profile))
    case 'credentials':
      return lines(rows.filter((r) => r.credentials).map((r) => r.profile))
    case 'sessions':
      return lines(rows.flatMap((r) => r.sessions.map((s) => `${s.type},${r.profile},${s.expiration}`)))
    default:
      return renderTable(rows)
  }
}
