import { AwsCallError } from '../errors.js'
import { maskKey } from '../output/mask.js'
import { deadlines, deadlineText } from './deadlines.js'

/** Which endpoint a call went to, for messages: "STS at https://sts.us-east-1.amazonaws.com". */
export interface CallTarget {
  service: 'STS' | 'IAM' | 'IAM Identity Center'
  /** The endpoint URL or host name. */
  where: string
  /** The settings that choose the endpoint, for hints: "endpoint_url, AWS_ENDPOINT_URL_STS". */
  settings: string
}

/** What the SDK tells about a failed call, with access key ids in AWS's messages masked. */
export interface SdkFailure {
  /** The AWS error code, or the SDK's error name ("TimeoutError", "Unknown"). */
  code: string
  message: string
  /** Node's socket error code (ECONNREFUSED …). */
  errno?: string
  httpStatus?: number
}

const keyIdPattern = /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g
const networkCodes = ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']

export function sdkFailure(err: unknown): SdkFailure {
  const e = err as {
    name?: string
    Code?: string
    message?: string
    code?: string
    $metadata?: { httpStatusCode?: number }
  }
  return {
    code: e?.Code ?? e?.name ?? 'Unknown',
    message: (e?.message ?? String(err)).split('\n')[0].replace(keyIdPattern, maskKey),
    errno: typeof e?.code === 'string' ? e.code : undefined,
    httpStatus: e?.$metadata?.httpStatusCode,
  }
}

/**
 * The failures every AWS service shares, as one line naming the endpoint and what to check: no
 * connection, no answer within the deadline, and an answer that is not an AWS one (a proxy's
 * redirect or login page; the SDK calls these "Unknown: Unknown"). Undefined for an AWS error,
 * which the service's own mapper words.
 */
export function transportError(operation: string, err: unknown, t: CallTarget): AwsCallError | undefined {
  const f = sdkFailure(err)
  const at = `${t.service} at ${t.where}`
  if (f.code === 'TimeoutError' || f.errno === 'ETIMEDOUT') {
    const what = /establish a connection/.test(f.message)
      ? `did not accept a connection within ${deadlines.connectMs / 1000} s`
      : `did not answer in time (${deadlineText})`
    return new AwsCallError(
      `${operation}: ${at} ${what}`,
      'NetworkError',
      `check that ${t.where} is the right endpoint and reachable (network, firewall, HTTPS_PROXY; ${t.settings})`,
      { cause: err },
    )
  }
  if (networkCodes.includes(f.errno ?? '')) {
    return new AwsCallError(
      `${operation}: cannot reach ${at} (${f.errno})`,
      'NetworkError',
      `check your network, proxy and ${t.settings}`,
      { cause: err },
    )
  }
  if (f.code === 'Unknown' && f.httpStatus !== undefined) {
    const redirect = f.httpStatus >= 300 && f.httpStatus < 400
    return new AwsCallError(
      `${operation}: ${at} answered HTTP ${f.httpStatus}${redirect ? ' (a redirect)' : ''}, which is not an ${t.service} response`,
      'NotAwsResponse',
      redirect
        ? `a proxy or captive portal may be redirecting the request, or the endpoint is wrong; check HTTPS_PROXY and ${t.settings}`
        : `the endpoint may not be ${t.service}, or a proxy answered for it; check HTTPS_PROXY and ${t.settings}`,
      { cause: err },
    )
  }
  return undefined
}

/** The last resort: the AWS code and AWS's own message. */
export function genericAwsError(operation: string, err: unknown): AwsCallError {
  const f = sdkFailure(err)
  return new AwsCallError(`${operation} failed: ${f.code}: ${f.message}`, f.code, undefined, { cause: err })
}
