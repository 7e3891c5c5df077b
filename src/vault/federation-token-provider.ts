import { formatDuration } from '../config/duration.js'
import { AwsCallError, ConfigError } from '../errors.js'
import type { Logger } from '../runtime/types.js'
import type { ObtainTrace } from './hand-out.js'
import type { CredentialProvider } from './provider.js'
import type { StsFactory, StsTarget } from './sts-port.js'

/**
 * The session policy sent with GetFederationToken. The federated user's permissions are the
 * intersection of this and the IAM user's own policies, so allowing everything here grants
 * exactly what the user has (minus what AWS withholds from federated users, such as IAM calls).
 */
export const allowAllPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
})

/** AWS limits the federated user's name to 32 characters. */
export const federationNameMax = 32

export interface FederationTokenOptions {
  /** Long-term keys of an IAM user. */
  source: CredentialProvider
  profile: string
  durationSeconds: number
  sts: StsFactory
  target: StsTarget
  log: Logger
  trace?: ObtainTrace
}

/**
 * GetFederationToken over long-term keys, named after the IAM user (cut to 32 characters). It is
 * how a profile with only keys gets into the console, which accepts temporary credentials only.
 * Not cached: the console session lasts as long as the token, so each login gets a full one.
 */
export function federationTokenProvider(o: FederationTokenOptions): CredentialProvider {
  return {
    description: `GetFederationToken for ${o.profile}`,
    async retrieve() {
      const keys = await o.source.retrieve()
      if (keys.sessionToken) throw cannotFederate(o.profile)
      const sts = o.sts(keys, o.target)
      const name = federationName((await sts.getCallerIdentity()).arn, o.profile)
      o.log.debug(
        `profile ${o.profile}: GetFederationToken as ${name} for ${formatDuration(o.durationSeconds)}, with an allow-all session policy`,
      )
      try {
        const creds = await sts.getFederationToken({ name, durationSeconds: o.durationSeconds, policy: allowAllPolicy })
        o.trace?.({ kind: 'call', api: 'GetFederationToken', profile: o.profile })
        return creds
      } catch (err) {
        if (err instanceof AwsCallError && /session credentials/i.test(err.message))
          throw cannotFederate(o.profile, err)
        throw err
      }
    },
  }
}

/** The federated user's name: the IAM user name from the caller's ARN, cut to 32 characters. */
export function federationName(arn: string, profile: string): string {
  const resource = arn.split(':').slice(5).join(':')
  if (resource === 'root') return 'root'
  if (!resource.startsWith('user/')) {
    throw new ConfigError(
      `profile "${profile}": GetFederationToken needs the long-term keys of an IAM user, and these belong to ${arn}`,
      `give the profile a role_arn to sign in to the console as a role`,
    )
  }
  const userName = resource.slice(resource.lastIndexOf('/') + 1)
  return userName.slice(0, federationNameMax)
}

function cannotFederate(profile: string, cause?: unknown): ConfigError {
  return new ConfigError(
    `profile "${profile}": the console needs role credentials or a federation token, and GetFederationToken cannot be called with temporary credentials such as a GetSessionToken session`,
    `give the profile a role_arn to sign in as a role, or store the IAM user's long-term keys with: vault add ${profile}`,
    cause === undefined ? undefined : { cause },
  )
}
