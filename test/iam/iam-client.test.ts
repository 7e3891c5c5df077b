import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AwsCallError } from '../../src/errors.js'
import { mapIamError } from '../../src/iam/iam-client.js'

const target = { region: 'us-east-1', endpoint: 'http://127.0.0.1:5000' }

describe('IAM errors (issue 8)', () => {
  it('masks access key ids inside AWS messages', () => {
    const err = mapIamError(
      'DeleteAccessKey',
      { name: 'NoSuchEntity', message: 'The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.' },
      target,
    )
    assert.ok(err instanceof AwsCallError)
    assert.equal(err.code, 'NoSuchEntity')
    assert.equal(
      err.message,
      'DeleteAccessKey failed: NoSuchEntity: The Access Key with id ****************MPLE cannot be found.',
    )
  })

  const cases: Array<[string, Record<string, string>, string, RegExp, RegExp | undefined]> = [
    [
      'network',
      { name: 'Error', code: 'ECONNREFUSED', message: 'connect' },
      'NetworkError',
      /cannot reach IAM at http:\/\/127.0.0.1:5000 \(ECONNREFUSED\)/,
      /AWS_ENDPOINT_URL_IAM/,
    ],
    [
      'unknown key',
      { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid' },
      'InvalidClientTokenId',
      /AWS does not accept the access key \(InvalidClientTokenId\)/,
      undefined,
    ],
    [
      'access denied',
      { name: 'AccessDenied', message: 'User: arn:aws:iam::1:user/jon is not authorized' },
      'AccessDenied',
      /CreateAccessKey: access denied: User: arn:aws:iam::1:user\/jon is not authorized/,
      /mfa_serial/,
    ],
  ]
  for (const [name, sdkError, code, message, hint] of cases) {
    it(`maps ${name} to one clear line`, () => {
      const err = mapIamError('CreateAccessKey', sdkError, target)
      assert.equal(err.code, code)
      assert.match(err.message, message)
      if (hint) assert.match(err.hint ?? '', hint)
      assert.equal(err.exitCode, 5)
    })
  }
})
