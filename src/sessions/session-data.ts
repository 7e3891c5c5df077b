import { goMarshal, goString, parseJson } from '../stores/go-json.js'
import type { AwsCredentials } from '../vault/credentials.js'

/**
 * A cached session's data as aws-vault stores it: the STS Credentials struct marshalled by Go,
 * {"AccessKeyId","Expiration","SecretAccessKey","SessionToken"} in that (struct) order, with
 * Expiration in RFC 3339.
 */
export function marshalSession(creds: AwsCredentials & { expiration: Date }): string {
  return goMarshal({
    AccessKeyId: creds.accessKeyId,
    Expiration: rfc3339(creds.expiration),
    SecretAccessKey: creds.secretAccessKey,
    SessionToken: creds.sessionToken ?? '',
  })
}

/** The credentials in a session item, or undefined when the data is not one. */
export function unmarshalSession(data: string, fallbackExpiration: Date): AwsCredentials | undefined {
  const obj = parseJson(data)
  const accessKeyId = goString(obj, 'AccessKeyId')
  const secretAccessKey = goString(obj, 'SecretAccessKey')
  const sessionToken = goString(obj, 'SessionToken')
  if (!accessKeyId || !secretAccessKey || !sessionToken) return undefined
  const stamp = goString(obj, 'Expiration')
  const parsed = stamp === undefined ? Number.NaN : Date.parse(stamp)
  const expiration = Number.isNaN(parsed) ? fallbackExpiration : new Date(parsed)
  return { accessKeyId, secretAccessKey, sessionToken, expiration }
}

/** Go's time.RFC3339Nano in UTC: no fraction when it is zero, trailing zeros trimmed. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_, frac: string) => (frac ? `.${frac}Z` : 'Z'))
}
