import type { AwsCredentials } from '../aws/credentials.js'
import type { Logger } from '../runtime/types.js'
import { roleChainingMaxSeconds } from '../vault/chain.js'
import type { StsFactory, StsTarget } from '../vault/sts-port.js'
import type { CredentialCache, Fetch } from './credential-cache.js'

/** What both servers hand out: the profile's credentials, and roles assumed from them. */
export interface ServedCredentials {
  profile(): Promise<AwsCredentials>
  role(roleArn: string): Promise<AwsCredentials>
}

export interface RoleAssumer {
  sts: StsFactory
  target: StsTarget
  roleSessionName: string
  /** The profile's AssumeRole duration; capped at 1 h when the profile's credentials are a session. */
  durationSeconds: number
  log: Logger
}

/** Role ARNs as IAM writes them; anything else is refused before STS is called. */
const roleArnPattern = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/

export function isRoleArn(text: string): boolean {
  return roleArnPattern.test(text)
}

/**
 * The profile's credentials through `fetchProfile` (the credential chain, which keeps its own
 * keychain cache and asks for MFA when its session has expired), and roles assumed from them,
 * each cached under its own key.
 */
export function servedCredentials(cache: CredentialCache, fetchProfile: Fetch, roles: RoleAssumer): ServedCredentials {
  const profile = () => cache.get('profile', fetchProfile)
  return {
    profile,
    role: (roleArn) =>
      cache.get(`role:${roleArn}`, async () => {
        const base = await profile()
        // AWS caps a role assumed with temporary credentials at one hour.
        const durationSeconds = base.sessionToken
          ? Math.min(roles.durationSeconds, roleChainingMaxSeconds)
          : roles.durationSeconds
        roles.log.debug(`server: AssumeRole ${roleArn} for ${durationSeconds}s as ${roles.roleSessionName}`)
        return roles
          .sts(base, roles.target)
          .assumeRole({ roleArn, roleSessionName: roles.roleSessionName, durationSeconds })
      }),
  }
}
