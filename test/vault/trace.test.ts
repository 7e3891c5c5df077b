/** The chain reports each step it takes (ChainContext.trace): what the hand-out log records (issue 26). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { chainFixture } from '../fakes/chain-fixture.js'

const serial = 'arn:aws:iam::111111111111:mfa/u'
const config = `[profile caktus]
mfa_serial = ${serial}

[profile saguaro]
source_profile = caktus
role_arn = arn:aws:iam::222222222222:role/Dev
role_session_name = alice
source_identity = alice-id
mfa_serial = ${serial}

[profile nomfa]
source_profile = plain
role_arn = arn:aws:iam::333333333333:role/Ops

[profile plain]

[profile proc]
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAPROCESS000000001","SecretAccessKey":"s","SessionToken":"t","Expiration":"2099-01-01T00:00:00Z"}'
`

describe('the chain traces its steps (issue 26)', () => {
  it('a miss: the long-term keys, GetSessionToken with the MFA serial, then AssumeRole with the role details', async () => {
    const f = chainFixture({ config, keys: ['caktus', 'plain'] })
    await f.run('saguaro')
    assert.deepEqual(f.steps, [
      { kind: 'keys', profile: 'caktus' },
      { kind: 'call', api: 'GetSessionToken', profile: 'caktus', mfaSerial: serial },
      {
        kind: 'call',
        api: 'AssumeRole',
        profile: 'saguaro',
        roleArn: 'arn:aws:iam::222222222222:role/Dev',
        roleSessionName: 'alice',
        sourceIdentity: 'alice-id',
        mfaSerial: undefined,
      },
    ])
  })

  it('a hit: one cache step naming the cached item, and no call', async () => {
    const f = chainFixture({ config, keys: ['caktus', 'plain'] })
    await f.run('saguaro')
    f.steps.length = 0
    await f.run('saguaro')
    assert.deepEqual(f.steps, [{ kind: 'cache', type: 'sts.AssumeRole', profile: 'saguaro' }])
  })

  it('an MFA-free chain names no serial: GetSessionToken is skipped, AssumeRole straight from the keys', async () => {
    const f = chainFixture({ config, keys: ['caktus', 'plain'] })
    await f.run('nomfa')
    assert.deepEqual(
      f.steps.map((s) => (s.kind === 'call' ? `${s.api}:${s.mfaSerial ?? '-'}` : s.kind)),
      ['keys', 'AssumeRole:-'],
    )
  })

  it('credential_process is a call, then a cache hit', async () => {
    const f = chainFixture({ config, keys: [] })
    await f.run('proc')
    await f.run('proc')
    assert.deepEqual(f.steps, [
      { kind: 'call', api: 'credential_process', profile: 'proc' },
      { kind: 'cache', type: 'credential_process', profile: 'proc' },
    ])
  })
})
