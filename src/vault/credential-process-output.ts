import type { AwsCredentials } from '../aws/credentials.js'
import { AwsCallError } from '../errors.js'

/**
 * Checks credential_process output as the AWS SDKs do (aws-sdk-js-v3
 * getValidatedProcessCredentials, botocore ProcessProvider): AccessKeyId and SecretAccessKey
 * present, Expiration (when given) a time, and not already past. A missing "Version" is taken as
 * 1, as aws-vault takes it (vault/credentialprocessprovider.go unmarshals into
 * ststypes.Credentials and never looks at Version); any other Version is refused. Every missing
 * or invalid field is named in one error, as aws-vault's validateJSONCredential lists them all.
 */
export function parseProcessCredentials(profile: string, stdout: string, now: Date): AwsCredentials {
  const invalid = (what: string, hint = 'make credential_process print the JSON described in the AWS CLI docs') =>
    new AwsCallError(`profile "${profile}": credential_process ${what}`, 'CredentialProcessInvalid', hint)
  let out: unknown
  try {
    out = JSON.parse(stdout)
  } catch {
    throw invalid('printed something that is not JSON')
  }
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw invalid('printed JSON that is not an object')
  const data = out as Record<string, unknown>
  /** What is wrong, each as it reads after "output has". */
  const problems: string[] = []
  if (data.Version !== undefined && data.Version !== 1)
    problems.push(`"Version": ${JSON.stringify(data.Version)} (only 1 is understood)`)
  for (const k of ['AccessKeyId', 'SecretAccessKey'])
    if (typeof data[k] !== 'string' || data[k] === '') problems.push(`no ${k}`)
  const sessionToken = data.SessionToken
  if (sessionToken !== undefined && sessionToken !== null && typeof sessionToken !== 'string')
    problems.push('a SessionToken that is not a string')
  let expiration: Date | undefined
  if (data.Expiration !== undefined && data.Expiration !== null && data.Expiration !== '') {
    expiration = typeof data.Expiration === 'string' ? new Date(data.Expiration) : undefined
    if (!expiration || Number.isNaN(expiration.getTime()))
      problems.push(`an Expiration that is not an ISO 8601 time: ${JSON.stringify(data.Expiration)}`)
  }
  if (problems.length > 0) throw invalid(`output has ${listed(problems)}`)
  if (expiration && expiration.getTime() <= now.getTime())
    throw invalid(
      `returned credentials that expired at ${expiration.toISOString()}`,
      'the command may be serving a stale cache; run it by hand, and check the clock',
    )
  return {
    accessKeyId: data.AccessKeyId as string,
    secretAccessKey: data.SecretAccessKey as string,
    sessionToken: typeof sessionToken === 'string' && sessionToken !== '' ? sessionToken : undefined,
    expiration,
  }
}

/** "a", "a and b", "a, b and c". */
function listed(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}
