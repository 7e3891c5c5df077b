/**
 * The strict STS's rules as a table: request → the refusal real STS gives (or none). Expected
 * codes and wording come from the STS API reference and from what botocore reports against AWS.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Caller, type CredentialKind, check, issuesMfa, type RoleInfo, trustRequiresMfa } from './rules.js'

const caller = (kind: CredentialKind, more: Partial<Caller> = {}): Caller => ({
  accessKeyId: kind === 'long-term' ? 'AKIAIOSFODNN7EXAMPLE' : 'ASIAEXAMPLE',
  kind,
  mfa: false,
  expired: false,
  tokenMatches: true,
  ...more,
})
const role = 'RoleArn=arn:aws:iam::111111111111:role/Dev&RoleSessionName=e2e'
const mfa = 'SerialNumber=arn:aws:iam::111111111111:mfa/jon&TokenCode=123456'
const chaining = 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'
const tooLong = 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'

const cases: Array<{ name: string; action: string; params: string; from: Caller; role?: RoleInfo; refused?: string }> =
  [
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
    { name: 'GetSessionToken with keys', action: 'GetSessionToken', params: '', from: caller('long-term') },
    {
      name: 'GetSessionToken 899 s',
      action: 'GetSessionToken',
      params: 'DurationSeconds=899',
      from: caller('long-term'),
      refused:
        "400 ValidationError 1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    },
    {
      name: 'GetSessionToken 129600 s',
      action: 'GetSessionToken',
      params: 'DurationSeconds=129600',
      from: caller('long-term'),
    },
    {
      name: 'GetSessionToken with a session',
      action: 'GetSessionToken',
      params: '',
      from: caller('session'),
      refused: '403 AccessDenied Cannot call GetSessionToken with session credentials',
    },
    {
      name: 'GetSessionToken with a role',
      action: 'GetSessionToken',
      params: '',
      from: caller('role'),
      refused: '403 AccessDenied Cannot call GetSessionToken with session credentials',
    },
    {
      name: 'a serial without a code',
      action: 'GetSessionToken',
      params: 'SerialNumber=arn:aws:iam::111111111111:mfa/jon',
      from: caller('long-term'),
      refused:
        '403 AccessDenied MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
    },
    {
      name: 'a five-digit code, and a serial with a space: two errors in one message',
      action: 'GetSessionToken',
      params: 'SerialNumber=arn%20x%20mfa/jon&TokenCode=12345',
      from: caller('long-term'),
      refused:
        "400 ValidationError 2 validation errors detected: Value 'arn x mfa/jon' at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]*; Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6",
    },
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    { name: 'AssumeRole 1h with keys', action: 'AssumeRole', params: role, from: caller('long-term') },
    {
      name: 'AssumeRole 2h with keys, role of 1h',
      action: 'AssumeRole',
      params: `${role}&DurationSeconds=7200`,
      from: caller('long-term'),
      refused: `400 ValidationError ${tooLong}`,
    },
    {
      name: 'AssumeRole 12h with keys, role of 12h',
      action: 'AssumeRole',
      params: `${role}&DurationSeconds=43200`,
      from: caller('long-term'),
      role: { maxSessionDuration: 43200, requiresMfa: false },
    },
    {
      name: 'AssumeRole 1h1s over a session (chaining), role of 12h',
      action: 'AssumeRole',
      params: `${role}&DurationSeconds=3601`,
      from: caller('session', { mfa: true }),
      role: { maxSessionDuration: 43200, requiresMfa: false },
      refused: `400 ValidationError ${chaining}`,
    },
    {
      name: 'AssumeRole 2h over a role (chaining)',
      action: 'AssumeRole',
      params: `${role}&DurationSeconds=7200`,
      from: caller('role'),
      refused: `400 ValidationError ${chaining}`,
    },
    { name: 'AssumeRole 1h over a role', action: 'AssumeRole', params: role, from: caller('role') },
    {
      name: 'AssumeRole without a session name',
      action: 'AssumeRole',
      params: 'RoleArn=arn:aws:iam::111111111111:role/Dev',
      from: caller('long-term'),
      refused:
        "400 ValidationError 1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
    },
    {
      name: 'MFA-only role, keys without a code',
      action: 'AssumeRole',
      params: role,
      from: caller('long-term', { arn: 'arn:aws:iam::111111111111:user/jon' }),
      role: { maxSessionDuration: 3600, requiresMfa: true },
      refused:
        '403 AccessDenied User: arn:aws:iam::111111111111:user/jon is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/Dev',
    },
    {
      name: 'MFA-only role, keys with a code',
      action: 'AssumeRole',
      params: `${role}&${mfa}`,
      from: caller('long-term'),
      role: { maxSessionDuration: 3600, requiresMfa: true },
    },
    {
      name: 'MFA-only role over an MFA session',
      action: 'AssumeRole',
      params: role,
      from: caller('session', { mfa: true }),
      role: { maxSessionDuration: 3600, requiresMfa: true },
    },
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
    {
      name: 'GetFederationToken with a session',
      action: 'GetFederationToken',
      params: 'Name=jon',
      from: caller('session'),
      refused: '403 AccessDenied Cannot call GetFederationToken with session credentials',
    },
    {
      name: 'GetFederationToken with keys',
      action: 'GetFederationToken',
      params: 'Name=jon',
      from: caller('long-term'),
    },
    // https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html: authentication first.
    {
      name: 'an expired session, even with a bad duration',
      action: 'AssumeRole',
      params: `${role}&DurationSeconds=1`,
      from: caller('session', { expired: true }),
      refused: '403 ExpiredToken The security token included in the request is expired',
    },
    {
      name: 'a temporary key this STS never issued',
      action: 'GetCallerIdentity',
      params: '',
      from: caller('unknown'),
      refused: '403 InvalidClientTokenId The security token included in the request is invalid',
    },
    {
      name: 'a session key with the wrong token',
      action: 'GetCallerIdentity',
      params: '',
      from: caller('session', { tokenMatches: false }),
      refused: '403 InvalidClientTokenId The security token included in the request is invalid',
    },
  ]

describe('strict STS rules (issue 13)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const e = check({ action: c.action, params: new URLSearchParams(c.params), caller: c.from, role: c.role })
      assert.equal(e && `${e.status} ${e.code} ${e.message}`, c.refused)
    })
  }

  it('a session is MFA-authenticated iff a code was given; a role inherits it or gets it from a code', () => {
    const r = (action: string, params: string, from: Caller) =>
      issuesMfa({ action, params: new URLSearchParams(params), caller: from })
    assert.equal(r('GetSessionToken', mfa, caller('long-term')), true)
    assert.equal(r('GetSessionToken', '', caller('long-term')), false)
    assert.equal(r('AssumeRole', role, caller('session', { mfa: true })), true)
    assert.equal(r('AssumeRole', role, caller('session')), false)
    assert.equal(r('AssumeRole', `${role}&${mfa}`, caller('long-term')), true)
  })

  it("reads an MFA condition from a trust policy's Allow statements", () => {
    const policy = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] })
    const allow = { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }
    assert.equal(trustRequiresMfa(policy(allow)), false)
    assert.equal(
      trustRequiresMfa(policy({ ...allow, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })),
      true,
    )
    assert.equal(trustRequiresMfa('not json'), false)
  })
})
