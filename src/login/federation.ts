import type { AwsCredentials } from '../aws/credentials.js'
import { deadlines } from '../aws/deadlines.js'
import { AwsCallError } from '../errors.js'
import type { Logger } from '../runtime/types.js'

/** Sent as Issuer: where AWS would send the browser when the console session ends (a name is fine). */
export const issuer = 'vault'

export interface SigninTokenRequest {
  endpoint: URL
  /** Temporary credentials: role credentials or a federation token. */
  credentials: AwsCredentials
  /** Console session length in seconds, sent only where AWS accepts it (see the login use case). */
  sessionDuration?: number
  fetch: typeof globalThis.fetch
  log: Logger
  timeoutMs?: number
}

/**
 * Step 1 of the console sign-in: trade temporary credentials for a sign-in token at the
 * federation endpoint (Action=getSigninToken). AWS refuses SessionDuration with HTTP 400 when the
 * credentials come from role chaining, so a 400 with it is retried once without it.
 */
export async function requestSigninToken(r: SigninTokenRequest): Promise<string> {
  if (r.sessionDuration !== undefined) {
    const res = await get(r, r.sessionDuration)
    if (res.status !== 400) return signinTokenOf(res, r.endpoint)
    r.log.debug(
      `federation endpoint: HTTP 400 with SessionDuration=${r.sessionDuration} (AWS refuses it for role chaining); asking again without it`,
    )
  }
  return signinTokenOf(await get(r, undefined), r.endpoint)
}

/** Step 2: the URL that signs the browser in and opens `destination`. It carries a credential. */
export function loginUrl(endpoint: URL, destination: string, signinToken: string): string {
  const url = new URL(endpoint)
  url.search = new URLSearchParams({
    Action: 'login',
    Issuer: issuer,
    Destination: destination,
    SigninToken: signinToken,
  }).toString()
  return url.toString()
}

interface Answer {
  status: number
  text: string
}

/** One getSigninToken request, headers and body within one deadline. */
async function get(r: SigninTokenRequest, sessionDuration: number | undefined): Promise<Answer> {
  const { credentials: c } = r
  const url = new URL(r.endpoint)
  url.searchParams.set('Action', 'getSigninToken')
  if (sessionDuration !== undefined) url.searchParams.set('SessionDuration', String(sessionDuration))
  url.searchParams.set(
    'Session',
    JSON.stringify({ sessionId: c.accessKeyId, sessionKey: c.secretAccessKey, sessionToken: c.sessionToken }),
  )
  r.log.debug(
    `federation endpoint ${where(r.endpoint)}: getSigninToken${sessionDuration === undefined ? '' : ` with SessionDuration=${sessionDuration}`}`,
  )
  const timeoutMs = r.timeoutMs ?? deadlines.attemptMs
  try {
    const res = await r.fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'manual', // never re-send the credentials to another address
      signal: AbortSignal.timeout(timeoutMs),
    })
    return { status: res.status, text: await res.text() }
  } catch (err) {
    // The request URL holds the credentials: name the endpoint only.
    const e = err as Error & { cause?: { code?: string; message?: string } }
    const detail =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : (e.cause?.code ?? e.cause?.message ?? e.message)
    const cause = detail.replace(/\?\S*/g, '?…') // a query string would hold the credentials
    throw new AwsCallError(
      `cannot reach the federation endpoint ${where(r.endpoint)} (${cause})`,
      'NetworkError',
      'check your network and proxy, and VAULT_FEDERATION_ENDPOINT if it is set',
      { cause: err },
    )
  }
}

function signinTokenOf(res: Answer, endpoint: URL): string {
  const { text } = res
  if (res.status !== 200) {
    throw new AwsCallError(
      `the federation endpoint ${where(endpoint)} refused the sign-in token request (HTTP ${res.status})`,
      'SigninTokenRefused',
      'the credentials may have expired or be of a kind the console does not accept; run vault clear PROFILE and try again',
    )
  }
  let token: unknown
  try {
    token = (JSON.parse(text) as { SigninToken?: unknown }).SigninToken
  } catch {}
  if (typeof token !== 'string' || token === '') {
    throw new AwsCallError(`the federation endpoint ${where(endpoint)} answered without a SigninToken`, 'EmptyResponse')
  }
  return token
}

function where(endpoint: URL): string {
  return `${endpoint.origin}${endpoint.pathname}`
}
