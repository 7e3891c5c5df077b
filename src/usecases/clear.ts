import type { Runtime } from '../runtime/runtime.js'

export interface ClearRequest {
  profile?: string
  /** Only the SSO OIDC tokens (`oidc:<start url>` items); role credentials and sessions stay. */
  ssoOnly?: boolean
}

/**
 * `vault clear [PROFILE]`: deletes cached sessions, all or one profile's; with no profile, the SSO
 * OIDC tokens too, as `aws-vault clear` does. Long-term keys stay.
 */
export async function clearSessions(rt: Runtime, req: ClearRequest = {}): Promise<number> {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  if (req.ssoOnly) {
    const count = await removeOidcTokens(rt)
    rt.streams.stdout.write(`Cleared ${plural(count, 'SSO token')}.\n`)
    return count
  }
  const sessions = await rt.sessions()
  let count = req.profile ? await sessions.removeForProfile(req.profile) : await sessions.removeAll()
  if (!req.profile) count += await removeOidcTokens(rt)
  // aws-vault cli/clear.go's exact line, plural included, on stdout: scripts grep it there.
  rt.streams.stdout.write(`Cleared ${count} sessions.\n`)
  return count
}

async function removeOidcTokens(rt: Runtime): Promise<number> {
  const [{ OidcTokenStore }, store] = await Promise.all([import('../stores/oidc-token-store.js'), rt.store()])
  return new OidcTokenStore(store).removeAll()
}
