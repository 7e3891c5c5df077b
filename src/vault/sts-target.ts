import type { ResolvedProfile } from '../config/types.js'
import type { Env } from '../runtime/types.js'
import type { StsTarget } from './sts-port.js'

/**
 * Where STS calls for this profile go: its region (else us-east-1), and an explicit endpoint from
 * AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL or endpoint_url, in the SDK's order of precedence.
 */
export function stsTarget(p: ResolvedProfile, env: Env): StsTarget {
  const ignoreConfigured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
  const endpoint = ignoreConfigured ? undefined : (env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL ?? p.endpointUrl)
  const region = p.region ?? 'us-east-1'
  return { region, endpoint, useGlobalEndpoint: p.stsRegionalEndpoints === 'legacy' && region === 'us-east-1' }
}
