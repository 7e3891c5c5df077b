import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatSessionKey, isNonCredentialKey, parseSessionKey } from '../../src/stores/session-key.js'

const MFA = 'arn:aws:iam::123456789012:mfa/jonsmith'

describe('session item keys (aws-vault vault/sessionkeyring.go)', () => {
  it('formats TYPE,b64url(profile),b64url(mfa),EXPIRY with unpadded base64url', () => {
    const expiry = new Date('2023-11-14T22:13:20.999Z')
    assert.equal(
      formatSessionKey({ type: 'sts.GetSessionToken', profile: 'caktus', mfaSerial: MFA }, expiry),
      'sts.GetSessionToken,Y2FrdHVz,YXJuOmF3czppYW06OjEyMzQ1Njc4OTAxMjptZmEvam9uc21pdGg,1700000000',
    )
    // '?' and '>' pick the URL-safe alphabet; "ab" would need padding.
    assert.equal(
      formatSessionKey({ type: 'sts.AssumeRole', profile: 'ab?>', mfaSerial: '' }, expiry),
      'sts.AssumeRole,YWI_Pg,,1700000000',
    )
  })

  it('parses what it formats', () => {
    const id = { type: 'sts.AssumeRole', profile: 'saguaro', mfaSerial: MFA }
    const key = formatSessionKey(id, new Date(1_700_000_000_000))
    assert.deepEqual(parseSessionKey(key), { ...id, expiration: new Date(1_700_000_000_000), key })
  })

  const notSessions = [
    'caktus', // a profile
    'sts.GetSessionToken,Y2FrdHVz,,', // no expiry
    'sts.GetSessionToken,,,1700000000', // empty profile
    'sts.GetSessionToken,Y2FrdHVz=,,1700000000', // padded
    'sts.GetSessionToken,Y2Fr+HVz,,1700000000', // standard alphabet
    'sts.GetSessionToken,Y2FrdHVzZ,,1700000000', // impossible length
    'a,b,c,d,1700000000',
  ]
  for (const key of notSessions) {
    it(`is not a session key: ${key}`, () => assert.equal(parseSessionKey(key), undefined))
  }

  it('tells long-term keys from sessions, old session formats and SSO tokens', () => {
    const table: Array<[string, boolean]> = [
      ['caktus', false],
      ['prod-admin', false],
      ['sts.GetSessionToken,Y2FrdHVz,,1700000000', true],
      ['session,Y2FrdHVz,,1700000000', true],
      ['session:caktus::1700000000', true],
      ['caktus session (1700000000)', true],
      ['oidc:https://example.awsapps.com/start', true],
    ]
    for (const [key, nonCredential] of table) assert.equal(isNonCredentialKey(key), nonCredential, key)
  })
})
