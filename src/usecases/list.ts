import { ConfigFile, configFilePath } from '../config/config-file.js'
import { printable } from '../output/printable.js'
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
  return names.map((profile) => ({
    profile,
    credentials: storedSet.has(profile) ? profile : null,
    sessions: byProfile.get(profile) ?? [],
  }))
}

/** The Profile | Credentials | Sessions table, with `sts.GetSessionToken:7h59m` style sessions. */
export function renderTable(rows: ListedProfile[]): string {
  const cells = [
    ['Profile', 'Credentials', 'Sessions'],
    ['=======', '===========', '========'],
    ...rows.map((r) => [
      printable(r.profile),
      r.credentials === null ? '-' : printable(r.credentials),
      r.sessions.map((s) => `${s.type}:${formatRemaining(s.expiresInSeconds * 1000)}`).join(', ') || '-',
    ]),
  ]
  const widths = [0, 1].map((i) => Math.max(...cells.map((c) => c[i].length)))
  return cells.map((c) => `${c[0].padEnd(widths[0])}  ${c[1].padEnd(widths[1])}  ${c[2]}`.trimEnd()).join('\n') + '\n'
}

export type ListMode = 'table' | 'profiles' | 'credentials' | 'sessions'

/** stdout for `vault list` in each mode (--json is rendered by oclif, or the fast path). */
export function renderList(rows: ListedProfile[], mode: ListMode): string {
  const lines = (items: string[]) => items.map((l) => `${printable(l)}\n`).join('')
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
