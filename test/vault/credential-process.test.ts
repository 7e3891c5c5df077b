// Issue 13.6: credential_process output is checked as the AWS SDKs check it
// (aws-sdk-js-v3 packages/credential-provider-process/src/getValidatedProcessCredentials.ts):
// Version 1, AccessKeyId and SecretAccessKey, a parseable Expiration that is not past.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AwsCallError } from '../../src/errors.js'
import { parseProcessCredentials } from '../../src/vault/credential-process-output.js'
import { credentialProcessProvider } from '../../src/vault/credential-process-provider.js'
import { chainFixture } from '../fakes/chain-fixture.js'
import { fixedClock } from '../fakes/fakes.js'

const now = new Date('2026-11-21T09:00:00Z')
const good = {
  Version: 1,
  AccessKeyId: 'ASIAPROC',
  SecretAccessKey: 's',
  SessionToken: 't',
  Expiration: '2026-11-21T10:00:00Z',
}

describe('credential_process output is validated as the SDKs do (issue 13.6)', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['not JSON', 'Version: 1', /^profile "cp": credential_process printed something that is not JSON$/],
    ['an array', [good], /^profile "cp": credential_process printed JSON that is not an object$/],
    // A missing Version is taken as 1 (see below); any other Version is refused, as the SDKs do.
    [
      'Version 2',
      { ...good, Version: 2 },
      /^profile "cp": credential_process output has "Version": 2 \(only 1 is understood\)$/,
    ],
    ['Version "1" (a string)', { ...good, Version: '1' }, /has "Version": "1" \(only 1 is understood\)$/],
    [
      'no AccessKeyId',
      { ...good, AccessKeyId: undefined },
      /^profile "cp": credential_process output has no AccessKeyId$/,
    ],
    [
      'neither key',
      { Version: 1 },
      /^profile "cp": credential_process output has no AccessKeyId and no SecretAccessKey$/,
    ],
    // Issue 25: one error names every missing or invalid field, as aws-vault's
    // validateJSONCredential lists all missing fields (vault/credentialprocessprovider.go).
    [
      'several fields wrong at once',
      { Version: 2, SecretAccessKey: 's', SessionToken: 7, Expiration: 'soon' },
      /^profile "cp": credential_process output has "Version": 2 \(only 1 is understood\), no AccessKeyId, a SessionToken that is not a string and an Expiration that is not an ISO 8601 time: "soon"$/,
    ],
    [
      'no Version and no keys: only the keys are named',
      { Expiration: '2026-11-21T10:00:00Z' },
      /^profile "cp": credential_process output has no AccessKeyId and no SecretAccessKey$/,
    ],
    [
      'a garbage Expiration is a clear error, not "Invalid time value"',
      { ...good, Expiration: 'tomorrow-ish' },
      /^profile "cp": credential_process output has an Expiration that is not an ISO 8601 time: "tomorrow-ish"$/,
    ],
    [
      'a numeric Expiration',
      { ...good, Expiration: 1700000000 },
      /Expiration that is not an ISO 8601 time: 1700000000$/,
    ],
    [
      'already expired',
      { ...good, Expiration: '2026-11-21T08:59:59Z' },
      /^profile "cp": credential_process returned credentials that expired at 2026-11-21T08:59:59\.000Z$/,
    ],
  ]
  for (const [name, out, message] of bad) {
    it(`refuses ${name}`, () => {
      const text = typeof out === 'string' ? out : JSON.stringify(out)
      assert.throws(
        () => parseProcessCredentials('cp', text, now),
        (err: unknown) =>
          err instanceof AwsCallError && err.code === 'CredentialProcessInvalid' && message.test(err.message),
      )
    })
  }

  it('accepts temporary credentials, and long-term keys without Expiration', () => {
    assert.deepEqual(parseProcessCredentials('cp', JSON.stringify(good), now), {
      accessKeyId: 'ASIAPROC',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date('2026-11-21T10:00:00Z'),
    })
    assert.deepEqual(parseProcessCredentials('cp', '{"Version":1,"AccessKeyId":"AKIA","SecretAccessKey":"s"}', now), {
      accessKeyId: 'AKIA',
      secretAccessKey: 's',
      sessionToken: undefined,
      expiration: undefined,
    })
  })

  it('takes a missing "Version" as 1, as aws-vault does (issue 25)', () => {
    // aws-vault vault/credentialprocessprovider.go: callCredentialProcessWith unmarshals the output
    // into ststypes.Credentials, which has no Version field, so output without one is accepted.
    const { Version: _, ...noVersion } = good
    assert.deepEqual(parseProcessCredentials('cp', JSON.stringify(noVersion), now), {
      accessKeyId: 'ASIAPROC',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date('2026-11-21T10:00:00Z'),
    })
  })

  it('through a real process: a garbage Expiration fails with the message naming the profile', async () => {
    const provider = credentialProcessProvider({
      profile: 'cp',
      command: `printf '%s' '${JSON.stringify({ ...good, Expiration: 'soon' })}'`,
      env: { PATH: process.env.PATH },
      clock: fixedClock(),
    })
    await assert.rejects(
      provider.retrieve(),
      /^AwsCallError: profile "cp": credential_process output has an Expiration that is not an ISO 8601 time: "soon"$/,
    )
  })

  it('a failing process names the profile and the exit code', async () => {
    const provider = credentialProcessProvider({
      profile: 'cp',
      command: 'exit 3',
      env: { PATH: process.env.PATH },
      clock: fixedClock(),
    })
    await assert.rejects(provider.retrieve(), /profile "cp": credential_process failed \(exit 3\)/)
  })
})

// Issue 25: a role over credential_process session credentials is role chaining, which AWS limits
// to 1 h (IAM User Guide, "Role chaining"; the strict STS refuses DurationSeconds > 3600 signed with
// temporary credentials, as real STS does). Long-term keys from the process keep the 12 h asked for.
describe('a role over credential_process (issue 25)', () => {
  const processConfig = (out: object) => `
[profile cp]
credential_process = printf '%s' '${JSON.stringify(out)}'

[profile role]
source_profile = cp
role_arn = arn:aws:iam::222222222222:role/Dev
duration_seconds = 43200
`
  it('session credentials from the process: AssumeRole is capped at 1 h, with the reason', async () => {
    const t = chainFixture({ config: processConfig(good), keys: [] })
    await t.run('role')
    assert.deepEqual(t.sts.ops(), ['AssumeRole'])
    assert.equal(t.sts.calls[0].signedWith, 'ASIAPROC')
    assert.ok((t.sts.calls[0].input.durationSeconds as number) <= 3600, 'DurationSeconds ≤ 3600')
    assert.equal(t.sts.calls[0].input.durationSeconds, 3600)
    t.debugLine(/^profile role: capping AssumeRole duration from 12h to AWS maximum 1h for role chaining/)
  })

  it('long-term keys from the process: the full 12 h', async () => {
    const keysOnly = { Version: 1, AccessKeyId: 'AKIAPROC', SecretAccessKey: 's' }
    const t = chainFixture({ config: processConfig(keysOnly), keys: [] })
    await t.run('role')
    assert.deepEqual(t.sts.ops(), ['AssumeRole'])
    assert.equal(t.sts.calls[0].input.durationSeconds, 43200)
  })
})
