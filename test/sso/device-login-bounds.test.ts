/**
 * issue 28: a hostile IAM Identity Center cannot keep the device flow going. Whatever `interval`,
 * `slow_down` or `expiresIn` it sends, polling ends by the device code's expiry, capped at
 * deviceLoginLimitMs, and no single sleep exceeds the poll interval's cap (setTimeout overflows
 * past 2^31 ms and then fires at once). A fake clock advanced by a recording sleep.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AwsCallError } from '../../src/errors.js'
import { OidcTokenStore } from '../../src/sessions/oidc-token-store.js'
import { deviceLogin, deviceLoginLimitMs, pollIntervalS } from '../../src/sso/device-login.js'
import type { DeviceAuthorization, OidcPort } from '../../src/sso/sso-port.js'
import { signInWait, tokenSource } from '../../src/sso/token-source.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import { noLock } from '../../src/vault/provider.js'
import { fixedClock, memoryLogger } from '../fakes/fakes.js'

const client = { clientId: 'c', clientSecret: 's', expiresAt: new Date('2099-01-01T00:00:00Z') }

function hostile(auth: Partial<DeviceAuthorization>, answer: () => Error | { accessToken: string; expiresIn: number }) {
  let polls = 0
  const port: OidcPort = {
    registerClient: async () => client,
    startDeviceAuthorization: async () => ({
      deviceCode: 'dc',
      userCode: 'ABCD-EFGH',
      verificationUri: 'https://device.sso/',
      expiresIn: 600,
      interval: 1,
      ...auth,
    }),
    createTokenWithDeviceCode: async () => {
      polls += 1
      const a = answer()
      if (a instanceof Error) throw a
      return a
    },
    createTokenWithRefreshToken: async () => assert.fail('no refresh token here'),
  }
  return { port, polls: () => polls }
}

function deps(port: OidcPort) {
  const clock = fixedClock()
  const sleeps: number[] = []
  return {
    clock,
    sleeps,
    deps: {
      oidc: port,
      clock,
      log: memoryLogger(),
      show: async () => {},
      sleep: async (ms: number) => {
        sleeps.push(ms)
        clock.advance(ms / 1000)
      },
    },
  }
}

const slowDown = () => new AwsCallError('CreateToken failed: slow_down', 'slow_down')
const pending = () => new AwsCallError('CreateToken failed: authorization_pending', 'authorization_pending')

describe('the SSO device flow is bounded overall (issue 28)', () => {
  it('slow_down forever ends at the device code expiry with one line', async () => {
    const h = hostile({ expiresIn: 600 }, slowDown)
    const w = deps(h.port)
    await assert.rejects(deviceLogin(w.deps, client, 'https://corp.awsapps.com/start'), {
      code: 'expired_token',
      message: 'the SSO login code ABCD-EFGH expired before it was approved',
    })
    const waited = w.sleeps.reduce((a, b) => a + b, 0)
    assert.equal(waited, deviceLoginLimitMs)
    assert.ok(Math.max(...w.sleeps) <= pollIntervalS.max * 1000, `longest sleep ${Math.max(...w.sleeps)} ms`)
    assert.ok(h.polls() < 100, `${h.polls()} polls`)
  })

  it('an interval of 3,000,000 s is clamped: polled once a minute, never a setTimeout overflow', async () => {
    const h = hostile({ interval: 3_000_000 }, pending)
    const w = deps(h.port)
    await assert.rejects(deviceLogin(w.deps, client, 'https://corp.awsapps.com/start'), { code: 'expired_token' })
    assert.deepEqual(w.sleeps, Array(10).fill(60_000))
    assert.equal(h.polls(), 10)
  })

  it('an interval that is no number, zero or negative polls every 1-5 s', async () => {
    for (const [interval, first] of [
      [Number.NaN, 5000],
      [0, 1000],
      [-7, 1000],
    ] as const) {
      let n = 0
      const h = hostile({ interval }, () => (++n < 3 ? pending() : { accessToken: 'at', expiresIn: 3600 }))
      const w = deps(h.port)
      await deviceLogin(w.deps, client, 'https://corp.awsapps.com/start')
      assert.equal(w.sleeps[0], first, `interval ${interval}`)
    }
  })

  it('an expiresIn of 10^18 is capped at 10 minutes, not an Invalid Date', async () => {
    const h = hostile({ expiresIn: 1e18 }, pending)
    const w = deps(h.port)
    await assert.rejects(deviceLogin(w.deps, client, 'https://corp.awsapps.com/start'), { code: 'expired_token' })
    assert.equal(
      w.sleeps.reduce((a, b) => a + b, 0),
      deviceLoginLimitMs,
    )
  })

  it('a token grant with expiresIn 10^18 is stored with a real date (was "Invalid time value")', async () => {
    const h = hostile({}, () => ({ accessToken: 'at-huge', expiresIn: 1e18 }))
    const w = deps(h.port)
    const store = new MemoryStore()
    const source = tokenSource(
      {
        ...w.deps,
        tokens: async () => new OidcTokenStore(store),
        lock: noLock,
        notice: () => {},
      },
      { startUrl: 'https://corp.awsapps.com/start', region: 'us-east-1', scopes: ['sso:account:access'] },
    )
    assert.deepEqual(await source.get(), { accessToken: 'at-huge', cached: false })
    const stored = await new OidcTokenStore(store).get('https://corp.awsapps.com/start')
    assert.ok(stored && !Number.isNaN(stored.expiresAt.getTime()))
    // Used from the store afterwards, with no call.
    assert.deepEqual(await source.get(), { accessToken: 'at-huge', cached: true })
  })

  it('callers queued behind a sign-in wait longer than the device flow can last', () => {
    assert.ok(signInWait.waitMs > deviceLoginLimitMs)
  })
})
