import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { AwsCredentials } from '../aws/credentials.js'
import { isoSeconds } from '../output/format.js'
import { type Handler, json, listenOnLoopback, type Reply, type RunningServer, type ServerOptions } from './http.js'
import { isRoleArn, type ServedCredentials } from './served-credentials.js'

export interface CredentialServer extends RunningServer {
  /** What the child needs to find the server: no key variables. */
  variables: Array<[string, string]>
  /** Variables that would stop the child's SDK from asking the server. */
  unset?: string[]
}

/** 32 random bytes, URL-safe: SDKs put it in a header as it is (botocore refuses newlines). */
export function newAuthorizationToken(): string {
  return randomBytes(32).toString('base64url')
}

/** The ECS container-credentials document (the SDKs' "full URI" provider). */
export function ecsDocument(creds: AwsCredentials): Record<string, string | undefined> {
  return {
    AccessKeyId: creds.accessKeyId,
    SecretAccessKey: creds.secretAccessKey,
    Token: creds.sessionToken,
    Expiration: creds.expiration && isoSeconds(creds.expiration),
  }
}

/**
 * The ECS container-credentials contract: `GET /` for the profile, `GET /role-arn/ARN` for a role
 * assumed from it. Every request must carry the exact Authorization header vault gave the child;
 * the check comes first, so a stranger learns nothing, not even which paths exist.
 */
export function ecsHandler(credentials: ServedCredentials, token: string): Handler {
  const expected = Buffer.from(token)
  return async (req) => {
    const given = Buffer.from(req.headers.authorization ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return json(403, {
        Message: 'missing or wrong Authorization header: send the value of AWS_CONTAINER_AUTHORIZATION_TOKEN',
      })
    }
    if (req.method !== 'GET') return json(405, { Message: 'use GET' }, { headers: { Allow: 'GET' } })
    if (req.path === '/') return handOut(await credentials.profile())
    if (req.path.startsWith('/role-arn/')) {
      const arn = decodeArn(req.path.slice('/role-arn/'.length))
      if (!arn) return json(400, { Message: 'expected /role-arn/arn:aws:iam::ACCOUNT:role/NAME' })
      return handOut(await credentials.role(arn))
    }
    return json(404, { Message: 'not found: use / or /role-arn/ARN' })
  }
}

const handOut = (creds: AwsCredentials): Reply => json(200, ecsDocument(creds), { handedOut: creds })

function decodeArn(raw: string): string | undefined {
  try {
    const arn = decodeURIComponent(raw)
    return isRoleArn(arn) ? arn : undefined
  } catch {
    return undefined
  }
}

/** Starts the ECS server; the child gets AWS_CONTAINER_CREDENTIALS_FULL_URI and the token. */
export async function startEcsServer(
  credentials: ServedCredentials,
  o: ServerOptions & { token?: string },
): Promise<CredentialServer> {
  const token = o.token ?? newAuthorizationToken()
  const server = await listenOnLoopback(ecsHandler(credentials, token), o)
  return {
    ...server,
    variables: [
      ['AWS_CONTAINER_CREDENTIALS_FULL_URI', server.url],
      ['AWS_CONTAINER_AUTHORIZATION_TOKEN', token],
    ],
  }
}
