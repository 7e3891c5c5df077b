/**
 * What real STS enforces and moto does not: the strict STS stand-in's rules, as data.
 * Each rule cites the AWS page it comes from; messages and codes are the ones STS returns
 * (as botocore and the SDKs report them), so a client sees what it would see against AWS.
 */

/** The kind of credentials that signed a request, as the stand-in tracked them. */
export type CredentialKind = 'long-term' | 'session' | 'role' | 'federated' | 'unknown' | 'none'

export interface Caller {
  /** From the SigV4 `Authorization: AWS4-HMAC-SHA256 Credential=AKID/…` header; '' when unsigned. */
  accessKeyId: string
  kind: CredentialKind
  /** True for sessions made with an MFA code, and for roles assumed with one (or over such a session). */
  mfa: boolean
  /** Temporary credentials past their Expiration. */
  expired: boolean
  /** Temporary credentials sent with the X-Amz-Security-Token they were issued with. */
  tokenMatches: boolean
  /** The caller's ARN, for AccessDenied messages (looked up only when a rule needs it). */
  arn?: string
}

export interface RoleInfo {
  /** IAM MaxSessionDuration: 3600 unless the role sets 3600–43200. */
  maxSessionDuration: number
  /** The trust policy has an `aws:MultiFactorAuthPresent` condition. */
  requiresMfa: boolean
}

export interface StsRequest {
  action: string
  params: URLSearchParams
  caller: Caller
  role?: RoleInfo
}

export interface StsError {
  status: 400 | 403
  code: string
  message: string
}

export const defaultRole: RoleInfo = { maxSessionDuration: 3600, requiresMfa: false }

/** Temporary credentials: STS issued them (ASIA…). */
export const isTemporary = (c: Caller) => c.kind === 'session' || c.kind === 'role' || c.kind === 'federated'

/** The duration STS uses when DurationSeconds is absent (each action's reference page gives it). */
export function durationOf(action: string, params: URLSearchParams): number {
  const given = params.get('DurationSeconds')
  if (given !== null) return Number(given)
  return action === 'GetSessionToken' || action === 'GetFederationToken' ? 43200 : 3600
}

// ---------------------------------------------------------------------------------------------
// 1. Authentication: before anything else, STS checks the credentials that signed the request.
//    https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
// ---------------------------------------------------------------------------------------------
export function authenticate(r: StsRequest): StsError | undefined {
  const { caller } = r
  if (caller.kind === 'unknown' || (isTemporary(caller) && !caller.tokenMatches))
    return {
      status: 403,
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid',
    }
  if (caller.expired)
    return { status: 403, code: 'ExpiredToken', message: 'The security token included in the request is expired' }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// 2. Parameter constraints, from each action's "Request Parameters" section. A failed constraint
//    is a 400 ValidationError worded like AWS's model validation:
//    "1 validation error detected: Value '300' at 'durationSeconds' failed to satisfy constraint:
//     Member must have value greater than or equal to 900".
// ---------------------------------------------------------------------------------------------
interface Constraint {
  param: string
  required?: boolean
  min?: number
  max?: number
  minLength?: number
  maxLength?: number
  pattern?: string
}

const serialNumber: Constraint = { param: 'SerialNumber', minLength: 9, maxLength: 256, pattern: '[\\w+=/:,.@-]*' }
const tokenCode: Constraint = { param: 'TokenCode', minLength: 6, maxLength: 6, pattern: '[\\d]*' }
const roleArn: Constraint = { param: 'RoleArn', required: true, minLength: 20, maxLength: 2048 }
const sessionName: Constraint = {
  param: 'RoleSessionName',
  required: true,
  minLength: 2,
  maxLength: 64,
  pattern: '[\\w+=,.@-]*',
}

export const constraints: Record<string, Constraint[]> = {
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
  GetSessionToken: [{ param: 'DurationSeconds', min: 900, max: 129600 }, serialNumber, tokenCode],
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
  AssumeRole: [
    roleArn,
    sessionName,
    { param: 'DurationSeconds', min: 900, max: 43200 },
    { param: 'ExternalId', minLength: 2, maxLength: 1224, pattern: '[\\w+=,.@:\\/-]*' },
    serialNumber,
    tokenCode,
    { param: 'SourceIdentity', minLength: 2, maxLength: 64, pattern: '[\\w+=,.@-]*' },
  ],
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
  GetFederationToken: [
    { param: 'Name', required: true, minLength: 2, maxLength: 32, pattern: '[\\w+=,.@-]*' },
    { param: 'DurationSeconds', min: 900, max: 129600 },
    { param: 'Policy', minLength: 1, maxLength: 2048 },
  ],
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
  AssumeRoleWithWebIdentity: [
    roleArn,
    sessionName,
    { param: 'WebIdentityToken', required: true, minLength: 4, maxLength: 20000 },
    { param: 'DurationSeconds', min: 900, max: 43200 },
  ],
}

/** AWS names a member in camelCase in its validation messages: DurationSeconds → durationSeconds. */
const member = (param: string) => param[0].toLowerCase() + param.slice(1)

export function validate(r: StsRequest): StsError | undefined {
  const failures: string[] = []
  for (const c of constraints[r.action] ?? []) {
    const value = r.params.get(c.param)
    const at = `at '${member(c.param)}' failed to satisfy constraint: Member must`
    if (value === null) {
      if (c.required) failures.push(`Value null ${at} not be null`)
      continue
    }
    const v = `Value '${value}' ${at}`
    if (c.min !== undefined && Number(value) < c.min) failures.push(`${v} have value greater than or equal to ${c.min}`)
    if (c.max !== undefined && Number(value) > c.max) failures.push(`${v} have value less than or equal to ${c.max}`)
    if (c.minLength !== undefined && value.length < c.minLength)
      failures.push(`${v} have length greater than or equal to ${c.minLength}`)
    if (c.maxLength !== undefined && value.length > c.maxLength)
      failures.push(`${v} have length less than or equal to ${c.maxLength}`)
    if (c.pattern !== undefined && !new RegExp(`^${c.pattern}$`).test(value))
      failures.push(`${v} satisfy regular expression pattern: ${c.pattern}`)
  }
  // AssumeRole: at most 50 session tags.
  const tags = [...r.params.keys()].filter((k) => /^Tags\.member\.\d+\.Key$/.test(k)).length
  if (r.action === 'AssumeRole' && tags > 50)
    failures.push(
      `Value '[${tags} tags]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`,
    )
  if (failures.length === 0) return undefined
  const n = failures.length
  return {
    status: 400,
    code: 'ValidationError',
    message: `${n} validation error${n === 1 ? '' : 's'} detected: ${failures.join('; ')}`,
  }
}

// ---------------------------------------------------------------------------------------------
// 3. What each action allows, given who calls it. First match wins.
// ---------------------------------------------------------------------------------------------
export interface Rule {
  actions: string[]
  /** The AWS page that states the rule. */
  source: string
  refuse(r: StsRequest): StsError | undefined
}

const mfaFailed: StsError = {
  status: 403,
  code: 'AccessDenied',
  // STS's wording (two spaces included) when it cannot check a code against a serial.
  message:
    'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
}

export const rules: Rule[] = [
  {
    // "You cannot call GetSessionToken with session credentials" / "…must be called by using the
    // long-term AWS security credentials of an IAM user": never with session or role credentials.
    actions: ['GetSessionToken', 'GetFederationToken'],
    source:
      'https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html, https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html',
    refuse: (r) =>
      isTemporary(r.caller)
        ? { status: 403, code: 'AccessDenied', message: `Cannot call ${r.action} with session credentials` }
        : undefined,
  },
  {
    // SerialNumber and TokenCode go together: a code is checked against the device named.
    actions: ['GetSessionToken', 'AssumeRole'],
    source: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html',
    refuse: (r) => (r.params.has('SerialNumber') !== r.params.has('TokenCode') ? mfaFailed : undefined),
  },
  {
    // Role chaining (assuming a role with temporary credentials) is capped at one hour: "if you
    // assume a role using role chaining and provide a DurationSeconds parameter value greater than
    // one hour, the operation fails". A GetSessionToken session counts as chaining too, as aws-vault
    // (ByteNess vault/vault.go requiresRoleChainingDurationCap) and AWS's own answer show.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
    actions: ['AssumeRole'],
    source: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html',
    refuse: (r) =>
      isTemporary(r.caller) && durationOf(r.action, r.params) > 3600
        ? {
            status: 400,
            code: 'ValidationError',
            message:
              'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
          }
        : undefined,
  },
  {
    // DurationSeconds "can have a value from 900 seconds (15 minutes) up to the maximum session
    // duration setting for the role" (MaxSessionDuration, 1 hour by default).
    actions: ['AssumeRole', 'AssumeRoleWithWebIdentity'],
    source: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html',
    refuse: (r) =>
      durationOf(r.action, r.params) > (r.role ?? defaultRole).maxSessionDuration
        ? {
            status: 400,
            code: 'ValidationError',
            message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
          }
        : undefined,
  },
  {
    // A trust policy with "Bool": {"aws:MultiFactorAuthPresent": "true"} lets in only callers that
    // authenticated with MFA: an MFA session, or SerialNumber and TokenCode on this call.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
    actions: ['AssumeRole'],
    source: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html',
    refuse: (r) =>
      r.role?.requiresMfa && !r.caller.mfa && !r.params.has('TokenCode')
        ? {
            status: 403,
            code: 'AccessDenied',
            message: `User: ${r.caller.arn ?? 'unknown'} is not authorized to perform: sts:AssumeRole on resource: ${r.params.get('RoleArn')}`,
          }
        : undefined,
  },
]

/** The first refusal for `r`: authentication, then parameter constraints, then the rules. */
export function check(r: StsRequest): StsError | undefined {
  return (
    authenticate(r) ??
    validate(r) ??
    rules
      .filter((rule) => rule.actions.includes(r.action))
      .reduce<StsError | undefined>((found, rule) => found ?? rule.refuse(r), undefined)
  )
}

/** Is the session or role that `r` creates MFA-authenticated? */
export function issuesMfa(r: StsRequest): boolean {
  if (r.action === 'GetSessionToken') return r.params.has('TokenCode')
  if (r.action === 'AssumeRole') return r.caller.mfa || r.params.has('TokenCode')
  return false
}

/** What a trust policy requires: an MFA condition anywhere in an Allow statement's Condition. */
export function trustRequiresMfa(policy: string): boolean {
  try {
    const doc = JSON.parse(policy) as { Statement?: unknown }
    const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Array<{
      Effect?: string
      Condition?: unknown
    }>
    return statements.some(
      (s) => s?.Effect === 'Allow' && JSON.stringify(s.Condition ?? {}).includes('aws:MultiFactorAuthPresent'),
    )
  } catch {
    return false
  }
}
