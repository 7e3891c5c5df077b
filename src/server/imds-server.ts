import { randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { isoSeconds } from '../output/format.js'
import type { Clock } from '../runtime/types.js'
import type { CredentialServer } from './ecs-server.js'
import { type Handler, listenOnLoopback, type Reply, type Request, type ServerOptions, text } from './http.js'
import type { ServedCredentials } from './served-credentials.js'

export interface ImdsOptions {
  credentials: ServedCredentials
  clock: Clock
  region: string
  /** The "instance role" name SDKs list and then fetch. */
  roleName: string
}

/** IMDSv2 session tokens live at most six hours, as on EC2. */
const maxTokenTtlSeconds = 21600
const credentialsPath = '/latest/meta-data/iam/security-credentials/'

/** The IAM role-name alphabet; a profile name outside it is served under a neutral name. */
export function instanceRoleName(profile: string): string {
  return /^[\w+=,.@-]{1,64}$/.test(profile) ? profile : 'vault'
}

/**
 * The slice of the EC2 instance metadata service that SDKs use for credentials and region:
 * IMDSv2 (PUT a token, then GET with it) and IMDSv1 (GET without one). A token vault did not
 * issue, or one past its TTL, gets 401 as on EC2; PUT with X-Forwarded-For gets 403, as EC2
 * refuses tokens to requests that came through a proxy.
 */
export function imdsHandler(o: ImdsOptions): Handler {
  const tokens = new LRUCache<string, number>({ max: 1024 }) // token → expiry, ms
  const now = () => o.clock.now().getTime()
  return async (req) => {
    if (req.path === '/latest/api/token') {
      if (req.method !== 'PUT') return text(405, 'Method Not Allowed', { headers: { Allow: 'PUT' } })
      if (req.headers['x-forwarded-for'] !== undefined) return text(403, 'Forbidden')
      const ttl = Number(header(req, 'x-aws-ec2-metadata-token-ttl-seconds'))
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > maxTokenTtlSeconds) {
        return text(400, `X-aws-ec2-metadata-token-ttl-seconds must be a whole number from 1 to ${maxTokenTtlSeconds}`)
      }
      const token = randomBytes(32).toString('base64url')
      tokens.set(token, now() + ttl * 1000)
      return text(200, token, {
        headers: { 'X-aws-ec2-metadata-token-ttl-seconds': String(ttl) },
        note: `token for ${ttl}s`,
      })
    }
    if (req.method !== 'GET') return text(405, 'Method Not Allowed', { headers: { Allow: 'GET' } })
    const token = header(req, 'x-aws-ec2-metadata-token')
    if (token !== undefined) {
      const expiry = tokens.get(token)
      if (expiry === undefined || expiry <= now())
        return text(401, 'Unauthorized', { note: 'IMDSv2, unknown or expired token' })
    }
    return { ...(await route(req.path, o)), note: token === undefined ? 'IMDSv1' : 'IMDSv2' }
  }
}

async function route(path: string, o: ImdsOptions): Promise<Reply> {
  switch (path) {
    case '/latest/meta-data':
    case '/latest/meta-data/':
      return text(200, 'iam/\nplacement/')
    case '/latest/meta-data/iam':
    case '/latest/meta-data/iam/':
      return text(200, 'security-credentials/')
    case credentialsPath.slice(0, -1):
    case credentialsPath:
      return text(200, o.roleName)
    case `${credentialsPath}${o.roleName}`:
    case `${credentialsPath}${o.roleName}/`: {
      const creds = await o.credentials.profile()
      return text(
        200,
        JSON.stringify({
          Code: 'Success',
          LastUpdated: isoSeconds(o.clock.now()),
          Type: 'AWS-HMAC',
          AccessKeyId: creds.accessKeyId,
          SecretAccessKey: creds.secretAccessKey,
          Token: creds.sessionToken,
          Expiration: creds.expiration && isoSeconds(creds.expiration),
        }),
        { handedOut: creds },
      )
    }
    case '/latest/meta-data/placement':
    case '/latest/meta-data/placement/':
      return text(200, 'region')
    case '/latest/meta-data/placement/region':
      return text(200, o.region)
    case '/latest/dynamic/instance-identity/document':
      return text(200, JSON.stringify({ region: o.region }))
    default:
      return text(404, 'Not Found')
  }
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Starts the metadata server; the child gets AWS_EC2_METADATA_SERVICE_ENDPOINT. */
export async function startImdsServer(o: ImdsOptions & ServerOptions): Promise<CredentialServer> {
  const server = await listenOnLoopback(imdsHandler(o), o)
  // AWS_EC2_METADATA_DISABLED=true (often set to speed SDKs up off EC2) would hide the server.
  return {
    ...server,
    variables: [['AWS_EC2_METADATA_SERVICE_ENDPOINT', server.url]],
    unset: ['AWS_EC2_METADATA_DISABLED'],
  }
}
