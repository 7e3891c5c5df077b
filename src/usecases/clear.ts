import { ConfigFile, configFilePath } from '../config/config-file.js'
import { unknownProfile } from '../config/resolve.js'
import type { Runtime } from '../runtime/runtime.js'

export interface ClearRequest {
  profile?: string
  /** Only the SSO OIDC tokens (`oidc:<start url>` items); role credentials and sessions stay. */
  ssoOnly?: boolean
}

type ClearDeps = Pick<Runtime, 'env' | 'homedir' | 'log' | 'streams' | 'keys' | 'sessions' | 'store'>

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * `vault clear [PROFILE]`: deletes cached sessions, all or one profile's, and the SSO OIDC tokens:
 * every one with no profile, the profile's own with one (ByteNess aws-vault cli/clear.go).
 * Long-term keys stay. A profile vault knows nothing of is an error, not "Cleared 0 sessions.".
 */
export async function clearSessions(rt: ClearDeps, req: ClearRequest = {}): Promise<number> {
  if (req.ssoOnly) {
    const count = await removeOidcTokens(rt)
    rt.streams.stdout.write(`Cleared ${plural(count, 'SSO token')}.\n`)
    return count
  }
  const sessions = await rt.sessions()
  let count: number
  if (req.profile) {
    const config = await ConfigFile.load(configFilePath(rt.env, rt.homedir), rt.log)
    count = await sessions.removeForProfile(req.profile)
    const known = count > 0 || config.hasProfile(req.profile) || (await (await rt.keys()).has(req.profile))
    if (!known) throw unknownProfile(config, req.profile)
    const sso = config.ssoStartUrl(req.profile)
    if (sso) count += await removeOidcTokens(rt, sso.url)
  } else {
    count = (await sessions.removeAll()) + (await removeOidcTokens(rt))
  }
  // aws-vault cli/clear.go prints "Cleared %d sessions." on stdout (scripts grep it); vault
  // matches the line but says "1 session".
  rt.streams.stdout.write(`Cleared ${plural(count, 'session')}.\n`)
  return count
}

/** Removes every OIDC token, or the one for `startUrl`. */
async function removeOidcTokens(rt: Pick<Runtime, 'store'>, startUrl?: string): Promise<number> {
  const [{ OidcTokenStore }, store] = await Promise.all([import('../sessions/oidc-token-store.js'), rt.store()])
  const tokens = new OidcTokenStore(store)
  if (startUrl === undefined) return tokens.removeAll()
  return (await tokens.remove(startUrl)) ? 1 : 0
}
