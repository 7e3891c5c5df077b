import type { ResolvedProfile } from '../config/types.js'
import type { Env } from '../runtime/types.js'
import type { IamTarget } from './iam-port.js'

/**
 * Where IAM calls for this profile go: an explicit endpoint from AWS_ENDPOINT_URL_IAM,
 * AWS_ENDPOINT_URL or endpoint_url (the SDK's order of precedence), else the partition's global
 * endpoint, picked by the profile's region.
 */
export function iamTarget(p: ResolvedProfile, env: Env): IamTarget {
  const ignoreConfigured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
  const endpoint = ignoreConfigured ? undefined : (env.AWS_ENDPOINT_URL_IAM ?? env.AWS_ENDPOINT_URL ?? p.endpointUrl)
  return { region: p.region ?? 'us-east-1', endpoint }
}
