/**
 * A local IAM Identity Center: the SSO OIDC service (oidc.REGION.amazonaws.com) and the SSO portal
 * (portal.sso.REGION.amazonaws.com) on one loopback port, speaking their wire protocols as the AWS
 * API references describe them:
 *   - SSO OIDC (restJson1): POST /client/register (RegisterClient), POST /device_authorization
 *     (StartDeviceAuthorization), POST /token (CreateToken, grant types
 *     urn:ietf:params:oauth:grant-type:device_code and refresh_token). Errors are HTTP 400/401 with
 *     an `x-amzn-ErrorType` header naming the exception and a body {"error","error_description"}
 *     (https://docs.aws.amazon.com/singlesignon/latest/OIDCAPIReference/API_CreateToken.html).
 *   - SSO portal (restJson1): GET /federation/credentials?role_name&account_id (GetRoleCredentials),
 *     GET /assignment/accounts (ListAccounts), GET /assignment/roles?account_id
 *     (ListAccountRoles), each authorised by the `x-amz-sso_bearer_token` header; a bad token is
 *     HTTP 401 UnauthorizedException (https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/).
 * The person in the browser is `approve()`, or a GET of the verification URL with /approve (what a
 * BROWSER script does). Every call is recorded, so tests count device authorizations and grants.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Account {
  accountId: string
  accountName: string
  emailAddress: string
  roles: string[]
}

export interface StandInOptions {
  accounts?: Account[]
  /** Seconds an access token lives (expiresIn). */
  tokenTtl?: number
  /** Seconds a client registration lives. */
  clientTtl?: number
  /** Seconds role credentials live. */
  roleCredentialsTtl?: number
  /** The polling interval StartDeviceAuthorization asks for. */
  interval?: number
  /** Seconds a device code lives. */
  deviceTtl?: number
  /** Page size of ListAccounts / ListAccountRoles when the caller sets none. */
  pageSize?: number
  /**
   * Told of each set of role credentials before they are handed out, as IAM Identity Center's
   * credentials are valid everywhere in AWS: the e2e tests register them with the strict STS.
   */
  onRoleCredentials?: (credentials: IssuedRoleCredentials) => Promise<void>
}

export interface IssuedRoleCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  /** Milliseconds since the epoch. */
  expiration: number
}

export interface Call {
  operation:
    | 'RegisterClient'
    | 'StartDeviceAuthorization'
    | 'CreateToken'
    | 'GetRoleCredentials'
    | 'ListAccounts'
    | 'ListAccountRoles'
  grantType?: string
  /** HTTP status answered. */
  status: number
  error?: string
  /** The SDK's id of one call, the same on each of its attempts (amz-sdk-invocation-id). */
  invocation?: string
  /** GetRoleCredentials: when it came (ms since the epoch) and the end of its bearer token, to tell callers apart. */
  at?: number
  token?: string
}

interface Device {
  clientId: string
  userCode: string
  expiresAt: number
  approved: boolean
  denied: boolean
  lastPoll: number
  used: boolean
}

export const deviceGrant = 'urn:ietf:params:oauth:grant-type:device_code'

export class SsoStandIn {
  readonly calls: Call[] = []
  readonly accounts: Account[]
  private server?: Server
  private readonly clients = new Map<string, { secret: string; expiresAt: number; scopes: string[] }>()
  private readonly devices = new Map<string, Device>()
  private readonly tokens = new Map<string, { expiresAt: number }>()
  private readonly refreshTokens = new Map<string, { clientId: string; scopes: string[] }>()
  /** Answer GetRoleCredentials with 401 this many more times, whatever the token. */
  reject401 = 0
  /** Approve every device code as soon as it is issued (for parallel tests that do not drive a browser). */
  autoApprove = false
  /**
   * Hostile knobs (issue 28). `drip`: these operations answer their headers (Content-Length
   * 100000) and then one byte a second, forever. `slowDownForever`: every device_code poll is
   * answered slow_down. `roleExpiration`: GetRoleCredentials' expiration, in ms since the epoch,
   * whatever the time (0: expired in 1970).
   */
  drip = new Set<Call['operation']>()
  slowDownForever = false
  roleExpiration?: number
  private readonly drips = new Set<NodeJS.Timeout>()
  tokenTtl: number
  clientTtl: number
  roleCredentialsTtl: number
  interval: number
  deviceTtl: number
  pageSize: number
  url = ''

  constructor(private readonly options: StandInOptions = {}) {
    this.accounts = options.accounts ?? [
      { accountId: '111111111111', accountName: 'dev', emailAddress: 'dev@example.com', roles: ['Admin'] },
    ]
    this.tokenTtl = options.tokenTtl ?? 8 * 3600
    this.clientTtl = options.clientTtl ?? 90 * 24 * 3600
    this.roleCredentialsTtl = options.roleCredentialsTtl ?? 3600
    this.interval = options.interval ?? 1
    this.deviceTtl = options.deviceTtl ?? 600
    this.pageSize = options.pageSize ?? 1
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => send(res, 500, { message: err.message }))
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this.url
  }

  async stop(): Promise<void> {
    for (const d of this.drips) clearInterval(d)
    this.server?.closeAllConnections()
    await new Promise((resolve) => this.server?.close(resolve))
  }

  count(operation: Call['operation'], grantType?: string): number {
    return this.calls.filter((c) => c.operation === operation && (!grantType || c.grantType === grantType)).length
  }

  /**
   * How many times a client called `operation`: the attempts of one call (one invocation id; the
   * SDK tries again after an attempt's deadline, which a loaded machine reaches) count once, as
   * MotoRecorder counts them (test/e2e/harness.ts).
   */
  invocations(operation: Call['operation']): number {
    const calls = this.calls.filter((c) => c.operation === operation)
    return new Set(calls.map((c, i) => c.invocation ?? `attempt ${i}`)).size
  }

  /** Codes shown to the user and not yet approved. */
  pendingUserCodes(): string[] {
    return [...this.devices.values()].filter((d) => !d.approved && !d.denied).map((d) => d.userCode)
  }

  /** What the person does in the browser. Throws when no such code is pending. */
  approve(userCode: string): void {
    const device = [...this.devices.values()].find((d) => d.userCode === userCode)
    if (!device) throw new Error(`stand-in: no device authorization with user code ${userCode}`)
    device.approved = true
  }

  /** Access tokens issued so far (to prove none of them reaches a plaintext file). */
  issuedAccessTokens(): string[] {
    return [...this.tokens.keys()]
  }

  /** An access token as if another client (the AWS CLI) had signed in. */
  issueAccessToken(): string {
    const accessToken = `at-${randomBytes(16).toString('hex')}`
    this.tokens.set(accessToken, { expiresAt: this.now() + this.tokenTtl })
    return accessToken
  }

  /** Every access token stops working (portal 401), as after a sign-out in the portal. */
  revokeAccessTokens(): void {
    this.tokens.clear()
  }

  /** Every refresh token is refused with invalid_grant, as when the Identity Center session ends. */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear()
  }

  private now(): number {
    return Math.floor(Date.now() / 1000)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    const body = await readBody(req)
    if (req.method === 'GET' && url.pathname === '/device/approve') {
      const code = url.searchParams.get('user_code') ?? ''
      try {
        this.approve(code)
        return send(res, 200, { approved: code })
      } catch (err) {
        return send(res, 404, { message: (err as Error).message })
      }
    }
    const operation = routes[`${req.method} ${url.pathname}`]
    if (operation && this.drip.has(operation)) {
      this.calls.push({ operation, status: 200 })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' })
      res.write('{')
      const drip = setInterval(() => res.write(' '), 1000)
      this.drips.add(drip)
      res.on('close', () => {
        clearInterval(drip)
        this.drips.delete(drip)
      })
      return
    }
    // Each call is recorded with the SDK's invocation id, so that the attempts of one call count once
    // (invocations()). The handlers record their calls synchronously, so those after `before` are this
    // request's.
    const before = this.calls.length
    this.route(req, res, url, body)
    const invocation = req.headers['amz-sdk-invocation-id']
    if (typeof invocation === 'string') for (const call of this.calls.slice(before)) call.invocation = invocation
  }

  private route(req: IncomingMessage, res: ServerResponse, url: URL, body: Record<string, unknown>) {
    if (req.method === 'POST' && url.pathname === '/client/register') return this.registerClient(res, body)
    if (req.method === 'POST' && url.pathname === '/device_authorization') return this.startDevice(res, body)
    if (req.method === 'POST' && url.pathname === '/token') return this.createToken(res, body)
    if (req.method === 'GET' && url.pathname === '/federation/credentials') return this.roleCredentials(req, res, url)
    if (req.method === 'GET' && url.pathname === '/assignment/accounts') return this.listAccounts(req, res, url)
    if (req.method === 'GET' && url.pathname === '/assignment/roles') return this.listRoles(req, res, url)
    send(res, 404, { message: `stand-in: no route for ${req.method} ${url.pathname}` })
  }

  private oidcError(res: ServerResponse, call: Call, status: number, type: string, error: string) {
    call.status = status
    call.error = error
    this.calls.push(call)
    send(res, status, { error, error_description: null }, { 'x-amzn-ErrorType': `${type}:` })
  }

  private registerClient(res: ServerResponse, body: Record<string, unknown>) {
    const call: Call = { operation: 'RegisterClient', status: 200 }
    if (typeof body.clientName !== 'string' || body.clientType !== 'public')
      return this.oidcError(res, call, 400, 'InvalidRequestException', 'invalid_request')
    const clientId = `client-${randomBytes(6).toString('hex')}`
    const secret = `secret-${randomBytes(12).toString('hex')}`
    const issued = this.now()
    const scopes = Array.isArray(body.scopes) ? (body.scopes as string[]) : []
    this.clients.set(clientId, { secret, expiresAt: issued + this.clientTtl, scopes })
    this.calls.push(call)
    send(res, 200, {
      clientId,
      clientSecret: secret,
      clientIdIssuedAt: issued,
      clientSecretExpiresAt: issued + this.clientTtl,
    })
  }

  private client(body: Record<string, unknown>) {
    const client = this.clients.get(String(body.clientId))
    if (!client || client.secret !== body.clientSecret || client.expiresAt <= this.now()) return undefined
    return client
  }

  private startDevice(res: ServerResponse, body: Record<string, unknown>) {
    const call: Call = { operation: 'StartDeviceAuthorization', status: 200 }
    if (!this.client(body)) return this.oidcError(res, call, 401, 'InvalidClientException', 'invalid_client')
    if (typeof body.startUrl !== 'string')
      return this.oidcError(res, call, 400, 'InvalidRequestException', 'invalid_request')
    const deviceCode = randomBytes(16).toString('hex')
    const userCode = `${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}`.toUpperCase()
    this.devices.set(deviceCode, {
      clientId: String(body.clientId),
      userCode,
      expiresAt: this.now() + this.deviceTtl,
      approved: this.autoApprove,
      denied: false,
      lastPoll: 0,
      used: false,
    })
    this.calls.push(call)
    send(res, 200, {
      deviceCode,
      userCode,
      verificationUri: `${this.url}/device`,
      verificationUriComplete: `${this.url}/device/approve?user_code=${userCode}`,
      expiresIn: this.deviceTtl,
      interval: this.interval,
    })
  }

  private createToken(res: ServerResponse, body: Record<string, unknown>) {
    const call: Call = { operation: 'CreateToken', grantType: String(body.grantType), status: 200 }
    const client = this.client(body)
    if (!client) return this.oidcError(res, call, 401, 'InvalidClientException', 'invalid_client')
    const issue = (scopes: string[]) => {
      const accessToken = `at-${randomBytes(16).toString('hex')}`
      this.tokens.set(accessToken, { expiresAt: this.now() + this.tokenTtl })
      const out: Record<string, unknown> = { accessToken, tokenType: 'Bearer', expiresIn: this.tokenTtl }
      // IAM Identity Center returns a refresh token only to clients registered with scopes
      // (sso:account:access), as the AWS CLI does by default for sso-session profiles.
      if (scopes.length > 0) {
        const refreshToken = `rt-${randomBytes(16).toString('hex')}`
        this.refreshTokens.set(refreshToken, { clientId: String(body.clientId), scopes })
        out.refreshToken = refreshToken
      }
      this.calls.push(call)
      send(res, 200, out)
    }
    if (body.grantType === deviceGrant) {
      const device = this.devices.get(String(body.deviceCode))
      if (!device || device.clientId !== body.clientId || device.used)
        return this.oidcError(res, call, 400, 'InvalidGrantException', 'invalid_grant')
      const now = Date.now()
      if (device.expiresAt <= this.now())
        return this.oidcError(res, call, 400, 'ExpiredTokenException', 'expired_token')
      if (device.denied) return this.oidcError(res, call, 400, 'AccessDeniedException', 'access_denied')
      if (!device.approved) {
        // RFC 8628 §3.5: polling faster than the interval earns slow_down.
        const early = device.lastPoll && now - device.lastPoll < this.interval * 1000 - 50
        device.lastPoll = now
        if (early || this.slowDownForever) return this.oidcError(res, call, 400, 'SlowDownException', 'slow_down')
        return this.oidcError(res, call, 400, 'AuthorizationPendingException', 'authorization_pending')
      }
      device.used = true
      return issue(client.scopes)
    }
    if (body.grantType === 'refresh_token') {
      const stored = this.refreshTokens.get(String(body.refreshToken))
      if (!stored || stored.clientId !== body.clientId)
        return this.oidcError(res, call, 400, 'InvalidGrantException', 'invalid_grant')
      // Refresh tokens are single use: the answer carries the next one.
      this.refreshTokens.delete(String(body.refreshToken))
      return issue(stored.scopes)
    }
    return this.oidcError(res, call, 400, 'UnsupportedGrantTypeException', 'unsupported_grant_type')
  }

  private authorised(req: IncomingMessage, res: ServerResponse, call: Call): boolean {
    const token = req.headers['x-amz-sso_bearer_token']
    const known = typeof token === 'string' ? this.tokens.get(token) : undefined
    if (this.reject401 > 0 || !known || known.expiresAt <= this.now()) {
      if (this.reject401 > 0) this.reject401--
      call.status = 401
      call.error = 'UnauthorizedException'
      this.calls.push(call)
      send(
        res,
        401,
        { message: 'Session token not found or invalid' },
        { 'x-amzn-ErrorType': 'UnauthorizedException:' },
      )
      return false
    }
    return true
  }

  private roleCredentials(req: IncomingMessage, res: ServerResponse, url: URL) {
    const bearer = req.headers['x-amz-sso_bearer_token']
    const call: Call = {
      operation: 'GetRoleCredentials',
      status: 200,
      at: Date.now(),
      token: typeof bearer === 'string' ? bearer.slice(-6) : undefined,
    }
    if (!this.authorised(req, res, call)) return
    const account = this.accounts.find((a) => a.accountId === url.searchParams.get('account_id'))
    const role = url.searchParams.get('role_name') ?? ''
    if (!account?.roles.includes(role)) {
      call.status = 403
      this.calls.push(call)
      return send(res, 403, { message: 'No access' }, { 'x-amzn-ErrorType': 'ForbiddenException:' })
    }
    this.calls.push(call)
    const roleCredentials: IssuedRoleCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: `sso-session-${account.accountId}-${role}-${randomBytes(8).toString('hex')}`,
      expiration: this.roleExpiration ?? (this.now() + this.roleCredentialsTtl) * 1000,
    }
    const issued = this.options.onRoleCredentials?.(roleCredentials) ?? Promise.resolve()
    issued.then(
      () => send(res, 200, { roleCredentials }),
      (err: unknown) => send(res, 500, { message: String(err) }),
    )
  }

  private page<T>(items: T[], url: URL): { page: T[]; nextToken?: string } {
    const size = Number(url.searchParams.get('max_result') ?? this.pageSize) || this.pageSize
    const start = Number(url.searchParams.get('next_token') ?? 0)
    const page = items.slice(start, start + size)
    return { page, nextToken: start + size < items.length ? String(start + size) : undefined }
  }

  private listAccounts(req: IncomingMessage, res: ServerResponse, url: URL) {
    const call: Call = { operation: 'ListAccounts', status: 200 }
    if (!this.authorised(req, res, call)) return
    const { page, nextToken } = this.page(this.accounts, url)
    this.calls.push(call)
    send(res, 200, {
      accountList: page.map(({ accountId, accountName, emailAddress }) => ({ accountId, accountName, emailAddress })),
      ...(nextToken ? { nextToken } : {}),
    })
  }

  private listRoles(req: IncomingMessage, res: ServerResponse, url: URL) {
    const call: Call = { operation: 'ListAccountRoles', status: 200 }
    if (!this.authorised(req, res, call)) return
    const account = this.accounts.find((a) => a.accountId === url.searchParams.get('account_id'))
    const { page, nextToken } = this.page(account?.roles ?? [], url)
    this.calls.push(call)
    send(res, 200, {
      roleList: page.map((roleName) => ({ roleName, accountId: account?.accountId })),
      ...(nextToken ? { nextToken } : {}),
    })
  }
}

const routes: Record<string, Call['operation']> = {
  'POST /client/register': 'RegisterClient',
  'POST /device_authorization': 'StartDeviceAuthorization',
  'POST /token': 'CreateToken',
  'GET /federation/credentials': 'GetRoleCredentials',
  'GET /assignment/accounts': 'ListAccounts',
  'GET /assignment/roles': 'ListAccountRoles',
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = ''
  for await (const chunk of req) text += chunk
  if (!text) return {}
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return {}
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}
