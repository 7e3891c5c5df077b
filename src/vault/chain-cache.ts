import type { ResolvedProfile } from '../config/types.js'
import { cachedProvider } from './cached-provider.js'
import type { Walk } from './chain-context.js'
import type { CredentialProvider, SessionKey } from './provider.js'
import { signInWait } from './sso/token-source.js'

/**
 * The cache decorator for one link. Credentials used only as a source need just enough life left
 * for the next STS call; those handed out keep the caller's window, and, when --duration was given,
 * are reused only while they last the duration asked for, less that window (`requested`).
 */
export function cacheLink(
  provider: CredentialProvider,
  key: SessionKey,
  walk: Walk,
  requested: number | undefined,
  p: ResolvedProfile,
): CredentialProvider {
  const { ctx } = walk
  // credential_process and SSO output last as long as they say: no --duration to compare with.
  const handedOut =
    requested !== undefined || key.type === 'credential_process' || key.type === 'sso.GetRoleCredentials'
  const windowSeconds = handedOut ? ctx.windowSeconds : Math.min(ctx.windowSeconds, 300)
  return cachedProvider(provider, {
    cache: ctx.sessions,
    key,
    clock: ctx.clock,
    log: ctx.log,
    windowSeconds,
    lock: ctx.lock,
    requestedSeconds: p.durationFlag !== undefined ? requested : undefined,
    // A holder may be in an IAM Identity Center device login: wait as long as that may take.
    wait: walk.visited.some((q) => q.ssoStartUrl || q.ssoSession) ? signInWait : undefined,
    trace: ctx.trace,
  })
}
