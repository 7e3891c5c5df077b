import type { ResolvedProfile } from '../config/types.js'
import { MfaError, UsageError } from '../errors.js'
import type { Clock, Env, Logger } from '../runtime/types.js'
import { roleSessionName } from '../vault/role-session-name.js'
import type { StsFactory } from '../vault/sts-port.js'
import { stsTarget } from '../vault/sts-target.js'
import { CredentialCache, type Fetch } from './credential-cache.js'
import { type CredentialServer, startEcsServer } from './ecs-server.js'
import type { ServerOptions } from './http.js'
import { instanceRoleName, startImdsServer } from './imds-server.js'
import { servedCredentials } from './served-credentials.js'

export type ServerKind = 'ecs' | 'ec2'

/**
 * How long before expiry the servers refresh: AWS_MIN_TTL, but at least 20 minutes. botocore
 * refreshes 15 minutes before expiry and survives a failed refresh until 10 minutes are left, so
 * a refresh that starts there may wait on an MFA prompt far longer than botocore's 2-second
 * timeout. And botocore's IMDS provider takes credentials that expire within 10 minutes plus up
 * to 10 minutes of jitter for an outage and extends them past their real expiry; handing out
 * nothing closer to expiry than 20 minutes keeps it off that path. The credential chain behind
 * the server gets the same window, so it refetches whenever the server asks.
 */
export function serverWindowSeconds(profile: ResolvedProfile): number {
  return Math.max(profile.minTtl, 20 * 60)
}

export interface StartOptions {
  kind: ServerKind
  profile: ResolvedProfile
  /** The profile's credentials through the credential chain; called again for every refresh. */
  fetchProfile: Fetch
  /** --lazy: no fetch until the first request. */
  lazy: boolean
  sts: StsFactory
  env: Env
  clock: Clock
  log: Logger
  /** One line for the user on stderr. */
  warn(message: string): void
  /** The hand-out log: each response that hands out credentials, and who asked. */
  handOuts?: ServerOptions['handOuts']
}

/**
 * Starts the ECS or EC2 metadata server for a profile. Unless lazy, the first fetch happens
 * here, so a missing key or a wrong MFA code stops vault before the command starts, with the
 * usual error and exit code. Later failures reach the client as 500 {"Message"} and the user on
 * stderr.
 */
export async function startCredentialServer(o: StartOptions): Promise<CredentialServer> {
  let started = false
  const fetchProfile: Fetch = async () => {
    try {
      const creds = await o.fetchProfile()
      if (!creds.expiration) {
        throw new UsageError(
          `profile "${o.profile.name}": the credential servers hand out temporary credentials only, and these are long-term keys`,
          'drop --no-session, or run vault exec without a server flag',
        )
      }
      return creds
    } catch (err) {
      throw started ? forRunningServer(err, o.profile.name) : err
    }
  }
  const cache = new CredentialCache({ clock: o.clock, log: o.log, windowSeconds: serverWindowSeconds(o.profile) })
  const credentials = servedCredentials(cache, fetchProfile, {
    sts: o.sts,
    target: stsTarget(o.profile, o.env),
    roleSessionName: roleSessionName(o.profile.roleSessionName, o.env),
    durationSeconds: o.profile.assumeRoleDuration,
    log: o.log,
  })
  if (!o.lazy) await credentials.profile()
  started = true
  const options = { log: o.log, warn: o.warn, clock: o.clock, handOuts: o.handOuts }
  if (o.kind === 'ecs') return startEcsServer(credentials, { ...options, name: 'ecs server' })
  const region = o.profile.region ?? 'us-east-1'
  const roleName = instanceRoleName(o.profile.name)
  return startImdsServer({ ...options, name: 'ec2 server', credentials, clock: o.clock, region, roleName })
}

/**
 * "Pass -t/--mfa-token" is no advice to a server that is already running: the way to hand it a
 * code is to refresh the session from a terminal, which the server then finds in the keychain.
 */
function forRunningServer(err: unknown, profile: string): unknown {
  if (!(err instanceof MfaError) || !err.hint?.includes('--mfa-token')) return err
  return new MfaError(
    err.message,
    `run in a terminal: vault exec ${profile} -t CODE -- true (the server picks up the new session), or set mfa_process in the profile`,
    { cause: err },
  )
}
