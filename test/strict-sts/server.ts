/**
 * A strict STS in front of moto_server. It parses each STS Query API request, refuses what real
 * STS refuses (see rules.ts), records what it saw, and forwards the rest to moto, returning moto's
 * answer. It tracks the credentials it hands out, so it knows whether a caller signs with
 * long-term keys, a session (with or without MFA) or a role, and when those expire.
 *
 * moto answers GetSessionToken and GetFederationToken with the long-term example key
 * AKIAIOSFODNN7EXAMPLE; real STS issues a fresh ASIA key, so the stand-in does too.
 *
 * Control endpoints for tests live under /strict-sts/ (STS itself is only ever called at /).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import {
  type Caller,
  type CredentialKind,
  check,
  defaultRole,
  durationOf,
  issuesMfa,
  type RoleInfo,
  type StsError,
  type StsRequest,
  trustRequiresMfa,
} from './rules.js'

export interface IssuedCredentials {
  accessKeyId: string
  kind: CredentialKind
  mfa: boolean
  expiration: string
}

/** One request the stand-in saw, accepted or refused. */
export interface StsCall {
  action: string
  /** The HTTP status returned, and the error code when STS (or moto) refused the call. */
  status: number
  error?: string
  caller: {
    accessKeyId: string
    keyKind: 'AKIA' | 'ASIA' | 'none' | 'other'
    credentials: CredentialKind
    mfa: boolean
  }
  /** As sent; undefined when the request had none (STS then uses the action's default). */
  durationSeconds?: number
  serialNumber?: string
  tokenCode: boolean
  roleArn?: string
  roleSessionName?: string
  externalId?: string
  tags: Record<string, string>
  transitiveTagKeys: string[]
  sourceIdentity?: string
  issued?: IssuedCredentials
}

interface Known {
  kind: CredentialKind
  mfa: boolean
  token: string
  expiresAt: number
  arn?: string
}

/** Requests the stand-in itself makes to moto carry this agent, so moto's recording can leave them out. */
export const lookupAgent = 'strict-sts-lookup'

const kindOfIssue: Record<string, CredentialKind> = {
  GetSessionToken: 'session',
  GetFederationToken: 'federated',
  AssumeRole: 'role',
  AssumeRoleWithWebIdentity: 'role',
  AssumeRoleWithSAML: 'role',
}

export function createStrictSts(motoUrl: string): Server {
  const known = new Map<string, Known>()
  const roles = new Map<string, Partial<RoleInfo>>()
  let lifetimes: Record<string, number> = {}
  let calls: StsCall[] = []

  const identify = (req: IncomingMessage, params: URLSearchParams): Caller => {
    const auth = req.headers.authorization ?? ''
    const id = /Credential=([^/,\s]+)\//.exec(auth)?.[1] ?? params.get('X-Amz-Credential')?.split('/')[0] ?? ''
    const token = (req.headers['x-amz-security-token'] as string | undefined) ?? params.get('X-Amz-Security-Token')
    if (!id) return { accessKeyId: '', kind: 'none', mfa: false, expired: false, tokenMatches: true }
    const k = known.get(id)
    if (k)
      return {
        accessKeyId: id,
        kind: k.kind,
        mfa: k.mfa,
        expired: Date.now() >= k.expiresAt,
        tokenMatches: token === k.token,
        arn: k.arn,
      }
    // A temporary key this STS never issued (moto accepts any key; AWS does not).
    if (id.startsWith('ASIA'))
      return { accessKeyId: id, kind: 'unknown', mfa: false, expired: false, tokenMatches: false }
    return { accessKeyId: id, kind: 'long-term', mfa: false, expired: false, tokenMatches: true }
  }

  const moto = (body: Record<string, string>, service: string, key = 'AKIAIOSFODNN7EXAMPLE') =>
    fetch(`${motoUrl}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': lookupAgent,
        authorization: `AWS4-HMAC-SHA256 Credential=${key}/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams(body),
      signal: AbortSignal.timeout(10_000),
    })

  /** A role's MaxSessionDuration and MFA condition: registered by a test, else from moto's IAM, else defaults. */
  const roleInfo = async (arn: string): Promise<RoleInfo> => {
    const registered = roles.get(arn)
    let fromIam: RoleInfo | undefined
    if (!registered) {
      const res = await moto({ Action: 'GetRole', RoleName: arn.split('/').pop() ?? '', Version: '2010-05-08' }, 'iam')
      const xml = await res.text()
      if (res.ok && tag(xml, 'Arn') === arn)
        fromIam = {
          maxSessionDuration: Number(tag(xml, 'MaxSessionDuration') ?? 3600),
          requiresMfa: trustRequiresMfa(decodeURIComponent(tag(xml, 'AssumeRolePolicyDocument') ?? '')),
        }
    }
    return { ...defaultRole, ...fromIam, ...registered }
  }

  const callerArn = async (caller: Caller): Promise<string> =>
    caller.arn ??
    tag(
      await (await moto({ Action: 'GetCallerIdentity', Version: '2011-06-15' }, 'sts', caller.accessKeyId)).text(),
      'Arn',
    ) ??
    'unknown'

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://strict-sts')
    if (url.pathname.startsWith('/strict-sts/')) return control(url.pathname.slice(12), body, res)

    const params = new URLSearchParams(url.search)
    if (req.method === 'POST') for (const [k, v] of new URLSearchParams(body)) params.append(k, v)
    const action = params.get('Action') ?? ''
    const r: StsRequest = { action, params, caller: identify(req, params) }
    const roleArn = params.get('RoleArn')
    if (roleArn && action.startsWith('AssumeRole')) r.role = await roleInfo(roleArn)
    if (r.role?.requiresMfa) r.caller.arn = await callerArn(r.caller)
    const call = describe(r)
    calls.push(call)

    const refused = check(r)
    if (refused) {
      call.status = refused.status
      call.error = refused.code
      return sendError(res, refused)
    }
    const answer = await fetch(`${motoUrl}${req.url}`, {
      method: req.method,
      headers: forwardable(req.headers),
      body: req.method === 'POST' ? body : undefined,
      signal: AbortSignal.timeout(30_000),
    })
    let xml = await answer.text()
    call.status = answer.status
    if (!answer.ok) call.error = tag(xml, 'Code')
    if (answer.status >= 500)
      process.stderr.write(`strict-sts: moto answered ${action} with ${answer.status}: ${xml}\n`)
    const kind = kindOfIssue[action]
    if (answer.ok && kind) {
      let id = tag(xml, 'AccessKeyId') ?? ''
      if (kind === 'session' || kind === 'federated') {
        const minted = `ASIA${randomBytes(12).toString('hex').toUpperCase().slice(0, 16)}`
        xml = xml.replace(`<AccessKeyId>${id}</AccessKeyId>`, `<AccessKeyId>${minted}</AccessKeyId>`)
        id = minted
      }
      const lifetime = lifetimes[action]
      if (lifetime !== undefined) {
        const shortened = new Date(Date.now() + lifetime * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
        xml = xml.replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${shortened}</Expiration>`)
      }
      const expiration = tag(xml, 'Expiration') ?? ''
      const mfa = issuesMfa(r)
      known.set(id, {
        kind,
        mfa,
        token: tag(xml, 'SessionToken') ?? '',
        expiresAt: Date.parse(expiration),
        arn: tag(xml, 'Arn'),
      })
      call.issued = { accessKeyId: id, kind, mfa, expiration }
    }
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' })
    res.end(xml)
  }

  const control = (path: string, body: string, res: ServerResponse) => {
    const input = body ? JSON.parse(body) : {}
    if (path === 'calls') return sendJson(res, calls)
    if (path === 'reset') calls = []
    else if (path === 'role') roles.set(input.arn, { ...roles.get(input.arn), ...input.info })
    else if (path === 'lifetime') lifetimes = input
    else if (path === 'trust')
      known.set(input.accessKeyId, { kind: 'role', mfa: false, token: input.sessionToken, expiresAt: input.expiration })
    else return sendJson(res, { error: `unknown control ${path}` }, 404)
    return sendJson(res, { ok: true })
  }

  return createServer((req, res) => {
    handle(req, res).catch((err) => {
      // A test then sees the cause in its output, not only an SDK retry.
      process.stderr.write(`strict-sts: ${req.method} ${req.url}: ${err instanceof Error ? err.stack : String(err)}\n`)
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`strict-sts: ${err instanceof Error ? err.stack : String(err)}`)
    })
  })
}

function describe(r: StsRequest): StsCall {
  const p = r.params
  const tags: Record<string, string> = {}
  const transitive: string[] = []
  for (const [k, v] of p) {
    const tagKey = /^Tags\.member\.(\d+)\.Key$/.exec(k)
    if (tagKey) tags[v] = p.get(`Tags.member.${tagKey[1]}.Value`) ?? ''
    if (/^TransitiveTagKeys\.member\.\d+$/.test(k)) transitive.push(v)
  }
  const id = r.caller.accessKeyId
  return {
    action: r.action,
    status: 0,
    caller: {
      accessKeyId: id,
      keyKind: id === '' ? 'none' : id.startsWith('AKIA') ? 'AKIA' : id.startsWith('ASIA') ? 'ASIA' : 'other',
      credentials: r.caller.kind,
      mfa: r.caller.mfa,
    },
    durationSeconds: p.has('DurationSeconds') ? durationOf(r.action, p) : undefined,
    serialNumber: p.get('SerialNumber') ?? undefined,
    tokenCode: p.has('TokenCode'),
    roleArn: p.get('RoleArn') ?? undefined,
    roleSessionName: p.get('RoleSessionName') ?? undefined,
    externalId: p.get('ExternalId') ?? undefined,
    tags,
    transitiveTagKeys: transitive,
    sourceIdentity: p.get('SourceIdentity') ?? undefined,
  }
}

/** STS's Query API error shape, as botocore and the AWS SDKs parse it. */
function sendError(res: ServerResponse, e: StsError) {
  const requestId = randomUUID()
  res.writeHead(e.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
  res.end(
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>${e.code}</Code>\n    <Message>${escapeXml(e.message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
  )
}

function sendJson(res: ServerResponse, value: unknown, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(value))
}

function forwardable(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined && !['host', 'connection', 'content-length', 'transfer-encoding', 'expect'].includes(k))
      out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d) => (body += d))
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}

/** The text of the first <name> element (STS and IAM answers are small, flat XML). */
function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
