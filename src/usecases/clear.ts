import { ConfigFile, configFilePath } from '../config/config-file.js'
import { unknownProfile } from '../config/resolve.js'
import type { Ports } from './ports.js'

export interface ClearRequest {
  profile?: string
  /** Only the SSO OIDC tokens (`oidc:<start url>` items); role credentials and sessions stay. */
  ssoOnly?: boolean
}

/** `vault clear` with no profile, and `--sso`: the sessions, the store (for OIDC tokens) and stdout. */
export type ClearAllDeps = Pick<Ports, 'sessions' | 'store' | 'streams'>

/** With a profile, also what tells whether the profile exists: its config section, or its keys. */
export type ClearDeps = ClearAllDeps & Pick<Ports, 'env' | 'homedir' | 'log' | 'keys'>

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * `vault clear [PROFILE]`: deletes cached sessions, all or one profile's, and the SSO OIDC tokens:
 * every one with no profile, the profile's own with one (ByteNess aws-vault cli/clear.go).
 * Long-term keys stay. A profile vault knows nothing of is an error, not "Cleared 0 sessions.".
 */
export async function clearSessions(rt: ClearDeps, req: ClearRequest = {}): Promise<number> {
  if (req.profile && !req.ssoOnly) return clearProfile(rt, req.profile)
  return clearAll(rt, req)
}

/** Every session and OIDC token, or with `ssoOnly` the OIDC tokens alone. */
export async function clearAll(rt: ClearAllDeps, req: Pick<ClearRequest, 'ssoOnly'> = {}): Promise<number> {
  if (req.ssoOnly) {
    const count = await removeOidcTokens(rt)
    rt.streams.stdout.write(`Cleared ${plural(count, 'SSO token')}.\n`)
    return count
  }
  const count = (await (await rt.sessions()).removeAll()) + (await removeOidcTokens(rt))
  return reportCleared(rt, count)
}

/** The profile's sessions, and the OIDC token of its start URL. */
async function clearProfile(rt: ClearDeps, profile: string): Promise<number> {
  const sessions = await rt.sessions()
  const config = await ConfigFile.load(configFilePath(rt.env, rt.homedir), rt.log)
  let count = await sessions.removeForProfile(profile)
  const known = count > 0 || config.hasProfile(profile) || (await (await rt.keys()).has(profile))
  if (!known) throw unknownProfile(config, profile)
  const sso = config.ssoStartUrl(profile)
  if (sso) count += await removeOidcTokens(rt, sso.url)
  return reportCleared(rt, count)
}

/**
 * aws-vault cli/clear.go prints "Cleared %d sessions." on stdout (scripts grep it); vault matches
 * the line but says "1 session".
 */
function reportCleared(rt: Pick<Ports, 'streams'>, count: number): number {
  rt.streams.stdout.write(`Cleared ${plural(count, 'session')}.\n`)
  return count
}

/** Removes every OIDC token, or the one for `startUrl`. */
async function removeOidcTokens(rt: Pick<Ports, 'store'>, startUrl?: string): Promise<number> {
  const [{ OidcTokenStore }, store] = await Promise.all([import('../sessions/oidc-token-store.js'), rt.store()])
  const tokens = new OidcTokenStore(store)
  if (startUrl === undefined) return tokens.removeAll()
  return (await tokens.remove(startUrl)) ? 1 : 0
}
