import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NotFoundError } from '../../src/errors.js'
import { keyHolderChain, planRotation } from '../../src/iam/rotation-plan.js'
import { chainContext } from '../fakes/chain-fixture.js'
import { longTermKeys, mfaSerial, profile } from '../fakes/fakes.js'

const serial = mfaSerial

function setup(options: { noSession?: boolean; keys?: string[] } = {}) {
  const { ctx, sts, sessions, log } = chainContext({
    keys: options.keys,
    env: { AWS_ENDPOINT_URL_IAM: 'http://iam.test' },
    noSession: options.noSession,
  })
  return { ctx, sts, sessions, log }
}

const caktus = (fields = {}) => profile('caktus', { region: 'eu-west-1', ...fields })
const deep = (source = caktus()) => {
  const mid = profile('mid', { roleArn: 'arn:aws:iam::222222222222:role/Mid', source, sourceProfileName: 'caktus' })
  return profile('top', { roleArn: 'arn:aws:iam::333333333333:role/Top', source: mid, sourceProfileName: 'mid' })
}

describe('planning a rotation (issue 8)', () => {
  it('follows source_profile to any depth to the profile holding the keys', async () => {
    const t = setup()
    const chain = await keyHolderChain(deep(), t.ctx.keys)
    assert.deepEqual(
      chain.map((p) => p.name),
      ['top', 'mid', 'caktus'],
    )
  })

  it('explains when no profile on the way holds keys', async () => {
    const t = setup({ keys: [] })
    await assert.rejects(keyHolderChain(deep(), t.ctx.keys), (err: Error) => {
      assert.ok(err instanceof NotFoundError)
      assert.equal(
        err.message,
        'profile "top": source profile "caktus" has no long-term keys in the keychain to rotate',
      )
      assert.equal(err.hint, 'vault rotates keys stored with: vault add caktus')
      return true
    })
  })

  it('--no-session: IAM is called with the long-term keys, and the IAM endpoint comes from AWS_ENDPOINT_URL_IAM', async () => {
    const t = setup({ noSession: true })
    const plan = await planRotation(deep(caktus({ mfaSerial: serial })), t.ctx)
    assert.equal(plan.holder, 'caktus')
    assert.deepEqual(plan.chain, ['top', 'mid', 'caktus'])
    assert.deepEqual(plan.caller, longTermKeys)
    assert.equal(plan.deleteWithNewKey, true)
    assert.deepEqual(plan.target, { region: 'eu-west-1', endpoint: 'http://iam.test' })
    assert.deepEqual(t.sts.ops(), [])
  })

  it('with sessions and mfa_serial: IAM is called with the shared MFA session, reused from the cache', async () => {
    const t = setup()
    const plan = await planRotation(deep(caktus({ mfaSerial: serial })), t.ctx)
    assert.deepEqual(t.sts.ops(), ['GetSessionToken'])
    assert.deepEqual(t.sts.calls[0].input, {
      durationSeconds: 8 * 3600,
      mfa: { serialNumber: serial, tokenCode: '123456' },
    })
    assert.equal(t.sts.calls[0].signedWith, longTermKeys.accessKeyId)
    assert.equal(plan.caller.sessionToken, 'token-1')
    assert.equal(plan.deleteWithNewKey, false)
    // The same session the credential chain shares: a second plan makes no STS call.
    await planRotation(deep(caktus({ mfaSerial: serial })), t.ctx)
    assert.equal(t.sts.calls.length, 1)
    assert.ok(t.sessions.items.has(`sts.GetSessionToken|caktus|${serial}`))
  })

  it('takes the MFA serial from the profile asked for when the key holder has none', async () => {
    const t = setup()
    const top = profile('top', {
      roleArn: 'arn:aws:iam::3:role/T',
      mfaSerial: serial,
      source: caktus(),
      sourceProfileName: 'caktus',
    })
    const plan = await planRotation(top, t.ctx)
    assert.equal((t.sts.calls[0].input.mfa as { serialNumber: string }).serialNumber, serial)
    assert.equal(plan.deleteWithNewKey, false)
  })

  it('without any mfa_serial, uses the long-term keys: a session without MFA cannot call IAM', async () => {
    const t = setup()
    const plan = await planRotation(caktus(), t.ctx)
    assert.deepEqual(plan.caller, longTermKeys)
    assert.deepEqual(t.sts.ops(), [])
    assert.ok(t.log.lines.some((l) => l.includes('a session without MFA cannot call IAM')))
  })
})
