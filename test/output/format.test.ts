import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatCredentials, isoSeconds } from '../../src/output/format.js'

const keys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

describe('export --format export-env (issue 17)', () => {
  it('long-term keys: first unsets what another profile may have set, then sets AWS_VAULT', () => {
    assert.equal(
      formatCredentials('export-env', keys, { profile: 'caktus' }),
      'unset AWS_REGION AWS_DEFAULT_REGION AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION\n' +
        'export AWS_VAULT=caktus\n' +
        'export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n' +
        'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
    )
  })

  it('a session with a region sets every variable, so nothing is unset', () => {
    const out = formatCredentials(
      'export-env',
      { ...keys, sessionToken: 'tok+/=', expiration: new Date('2026-11-21T17:42:00Z') },
      { profile: "it's", region: 'eu-west-1' },
    )
    assert.equal(
      out,
      [
        "export AWS_VAULT='it'\\''s'",
        'export AWS_REGION=eu-west-1',
        'export AWS_DEFAULT_REGION=eu-west-1',
        'export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
        'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        'export AWS_SESSION_TOKEN=tok+/=',
        'export AWS_CREDENTIAL_EXPIRATION=2026-11-21T17:42:00Z',
        '',
      ].join('\n'),
    )
  })

  it('env, ini and json are unchanged: no AWS_VAULT', () => {
    assert.doesNotMatch(formatCredentials('env', keys, { profile: 'caktus' }), /AWS_VAULT/)
  })
})

describe('isoSeconds', () => {
  it("drops the milliseconds, as Go's time.RFC3339 does for credential_process and AWS_CREDENTIAL_EXPIRATION", () => {
    assert.equal(isoSeconds(new Date('2026-12-04T05:59:07.999Z')), '2026-12-04T05:59:07Z')
    assert.equal(isoSeconds(new Date(Date.UTC(10000, 0, 1))), '+010000-01-01T00:00:00Z')
  })
})
