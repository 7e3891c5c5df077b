import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { mapStsError } from '../../src/vault/sts-client.js'

const target = { region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }
const sdkError = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra })

// STS errors become one clear line with the AWS code and what to do (issue 5's table).
describe('STS errors (issue 5)', () => {
  const table: Array<{ name: string; err: Error; code: string; message: RegExp; hint?: RegExp }> = [
    {
      name: 'a wrong or reused MFA code',
      err: sdkError('AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.'),
      code: 'MfaRejected',
      message: /MFA code was rejected/,
      hint: /next code/,
    },
    {
      name: 'a user ARN where an MFA ARN belongs',
      err: sdkError(
        'ValidationError',
        "1 validation error detected: Value at 'serialNumber' failed to satisfy constraint",
      ),
      code: 'ValidationError',
      message: /mfa_serial is not a valid MFA device ARN/,
      hint: /arn:aws:iam::ACCOUNT:mfa\/NAME/,
    },
    {
      name: 'deleted or rotated keys',
      err: sdkError('InvalidClientTokenId', 'The security token included in the request is invalid.'),
      code: 'InvalidClientTokenId',
      message: /does not recognise the access key/,
      hint: /vault add/,
    },
    {
      name: 'a wrong secret',
      err: sdkError('SignatureDoesNotMatch', 'The request signature we calculated does not match'),
      code: 'SignatureDoesNotMatch',
      message: /secret access key is wrong/,
    },
    {
      name: 'a network failure names the endpoint',
      err: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      code: 'NetworkError',
      message: /cannot reach STS at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/,
    },
    {
      name: 'an expired session keeps its code so the chain can retry',
      err: sdkError('ExpiredToken', 'The security token included in the request is expired'),
      code: 'ExpiredToken',
      message: /ExpiredToken/,
    },
    {
      name: 'anything else keeps the AWS code and message',
      err: sdkError('RegionDisabledException', 'STS is not activated in this region'),
      code: 'RegionDisabledException',
      message: /^AssumeRole failed: RegionDisabledException: STS is not activated/,
    },
  ]
  for (const t of table) {
    it(t.name, () => {
      const mapped = mapStsError('AssumeRole', t.err, target)
      assert.equal(mapped.code, t.code)
      assert.match(mapped.message, t.message)
      assert.ok(!mapped.message.includes('\n'))
      if (t.hint) assert.match(mapped.hint ?? '', t.hint)
    })
  }
})
