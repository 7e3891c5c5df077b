import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AwsCallError } from '../../src/errors.js'
import { providerFor } from '../../src/vault/chain.js'
import { chainContext } from '../fakes/chain-fixture.js'
import { longTermKeys, memoryKeys, mfaSerial, profile } from '../fakes/fakes.js'

const serial = mfaSerial
const caktus = profile('caktus', { mfaSerial: serial, region: 'us-east-1' })
const role = (name: string, account: string, extra = {}) =>
  profile(name, {
    roleArn: `arn:aws:iam::${account}:role/Dev`,
    source: caktus,
    sourceProfileName: 'caktus',
    mfaSerial: serial,
    ...extra,
  })

function setup(options: { noSession?: boolean; fail?: (op: string) => Error | undefined } = {}) {
  return chainContext({ env: { USER: 'jon smith' }, noSession: options.noSession, fail: options.fail })
}

describe('credential chain (issue 5)', () => {
  it('keys, no role: GetSessionToken with MFA, cached', async () => {
    const t = setup()
    const creds = await (await providerFor(caktus, t.ctx)).retrieve()
    assert.equal(creds.sessionToken, 'token-1')
    assert.deepEqual(t.sts.ops(), ['GetSessionToken'])
    assert.deepEqual(t.sts.calls[0].input, {
      durationSeconds: 3600,
      mfa: { serialNumber: serial, tokenCode: '123456' },
    })
    assert.equal(t.sts.calls[0].signedWith, longTermKeys.accessKeyId)
    await (await providerFor(caktus, t.ctx)).retrieve()
    assert.equal(t.sts.calls.length, 1, 'second call is a cache hit')
  })

  it('--no-session hands out the long-term keys', async () => {
    const t = setup({ noSession: true })
    const creds = await (await providerFor(caktus, t.ctx)).retrieve()
    assert.deepEqual(creds, longTermKeys)
    assert.deepEqual(t.sts.ops(), [])
  })

  it('the motivating scenario: one MFA session serves roles in three accounts', async () => {
    const t = setup()
    for (const [name, account] of [
      ['a', '111111111111'],
      ['b', '222222222222'],
      ['c', '333333333333'],
    ]) {
      await (await providerFor(role(name, account), t.ctx)).retrieve()
    }
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole', 'AssumeRole', 'AssumeRole'])
    assert.equal(t.prompts(), 1)
    assert.equal(t.sts.calls[0].input.durationSeconds, 8 * 3600, 'chained session duration')
    for (const call of t.sts.calls.slice(1)) {
      assert.equal(call.input.mfa, undefined, 'AssumeRole without MFA')
      assert.equal(call.signedWith, 'ASIATEMP000000000001', 'signed with the session')
    }
    assert.ok(t.log.lines.some((l) => l.includes('shared MFA') && l.includes('chained MFA')))
  })

  it('role credentials are cached: a repeat makes no STS call', async () => {
    const t = setup()
    await (await providerFor(role('a', '222222222222'), t.ctx)).retrieve()
    await (await providerFor(role('a', '222222222222'), t.ctx)).retrieve()
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole'])
    assert.ok(t.log.lines.some((l) => /profile a: using cached role credentials \(expire in 1h0m\)/.test(l)))
  })

  it('refetches role credentials once inside the expiry window', async () => {
    const t = setup()
    await (await providerFor(role('a', '222222222222'), t.ctx)).retrieve()
    t.clock.advance(3600 - 200)
    await (await providerFor(role('a', '222222222222'), t.ctx)).retrieve()
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole', 'AssumeRole'])
  })

  it('a role longer than 1h skips the session and is assumed with MFA', async () => {
    const t = setup()
    await (
      await providerFor(role('long', '222222222222', { durationSeconds: 7200, assumeRoleDuration: 7200 }), t.ctx)
    ).retrieve()
    assert.deepEqual(t.sts.ops(), ['AssumeRole'])
    assert.equal(t.sts.calls[0].input.durationSeconds, 7200)
    assert.deepEqual(t.sts.calls[0].input.mfa, { serialNumber: serial, tokenCode: '123456' })
    assert.equal(t.sts.calls[0].signedWith, longTermKeys.accessKeyId)
  })

  it('role chains resolve recursively and cap chained roles at 1h', async () => {
    const t = setup()
    const first = role('first', '222222222222')
    const second = profile('second', {
      roleArn: 'arn:aws:iam::333333333333:role/Ops',
      source: first,
      sourceProfileName: 'first',
      assumeRoleDuration: 7200,
      durationSeconds: 7200,
    })
    await (await providerFor(second, t.ctx)).retrieve()
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole', 'AssumeRole'])
    assert.equal(t.sts.calls[2].input.durationSeconds, 3600)
    assert.equal(t.sts.calls[2].signedWith, 'ASIATEMP000000000002')
  })

  it('passes role parameters through and builds a readable session name', async () => {
    const t = setup()
    const p = role('tagged', '222222222222', {
      externalId: 'ext',
      sessionTags: { team: 'web' },
      transitiveSessionTags: ['team'],
      sourceIdentity: 'jon',
    })
    await (await providerFor(p, t.ctx)).retrieve()
    const input = t.sts.calls[1].input
    assert.equal(input.roleSessionName, 'jon-smith')
    assert.equal(input.externalId, 'ext')
    assert.deepEqual(input.sessionTags, { team: 'web' })
    assert.deepEqual(input.transitiveTagKeys, ['team'])
    assert.equal(input.sourceIdentity, 'jon')
  })

  it('ExpiredToken on a cached session clears it and retries once', async () => {
    let failures = 0
    const t = setup({
      fail: (op) => {
        if (op === 'AssumeRole' && failures === 0) {
          failures += 1
          return new AwsCallError('expired', 'ExpiredToken')
        }
        return undefined
      },
    })
    await (await providerFor(role('a', '222222222222'), t.ctx)).retrieve()
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole', 'GetSessionToken', 'AssumeRole'])
  })

  it('missing keys name the source profile and say what to run', async () => {
    const t = setup()
    t.ctx.keys = memoryKeys({})
    await assert.rejects((async () => (await providerFor(role('a', '222222222222'), t.ctx)).retrieve())(), {
      message: 'profile "a": source profile "caktus" has no credentials in the keychain',
      hint: 'run: vault add caktus',
    })
  })

  it('STS target: region, endpoint env and legacy global endpoint', async () => {
    const t = setup()
    t.ctx.env = { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' }
    await (await providerFor(profile('caktus', { region: 'eu-west-1' }), t.ctx)).retrieve()
    assert.deepEqual(t.sts.calls[0].target, {
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      useGlobalEndpoint: false,
    })
  })
})
