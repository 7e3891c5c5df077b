import type { Env } from '../runtime/types.js'

/**
 * role_session_name, or a readable default: the local user name, made valid for STS
 * ([\w+=,.@-]{2,64}). aws-vault uses a timestamp, which says nothing in CloudTrail.
 */
export function roleSessionName(configured: string | undefined, env: Env): string {
  if (configured) return configured
  const user = env.USER ?? env.USERNAME ?? env.LOGNAME ?? 'vault'
  let name = user.replace(/[^\w+=,.@-]/g, '-').slice(0, 64)
  if (name.length < 2) name = `vault-${name}`.slice(0, 64)
  return name
}
