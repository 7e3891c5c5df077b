/**
 * The SSO token logic over fakes: a memory store, a scripted OIDC port, a fixed clock and a
 * recording sleep. Polling rules follow RFC 8628 §3.5 and the SSO OIDC CreateToken reference
 * (authorization_pending, slow_down: +5 s, expired_token); the cached-token rules follow aws-vault's
 * SSORoleCredentialsProvider (15-minute refresh window, registration kept with the token).
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { AwsCallError } from '../../src/errors.js'
import { OidcTokenStore, parseOidcToken } from '../../src/sessions/oidc-token-store.js'
import { readAwsCliToken } from '../../src/sso/aws-cli-cache.js'
import { deviceLoginLimitMs } from '../../src/sso/device-login.js'
import { type ClientRegistration, type OidcPort, ssoTarget, type TokenGrant } from '../../src/sso/sso-port.js'
import { type TokenSourceDeps, tokenSource } from '../../src/sso/token-source.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import { type LockWait, noLock } from '../../src/vault/provider.js'
import { ssoSessionOf } from '../../src/vault/sso-provider.js'
import { fixedClock, memoryLogger, profile } from '../fakes/fakes.js'

const startUrl = 'https://corp.awsapps.com/start'
const session = { startUrl, region: 'us-east-1', scopes: ['sso:account:access'], name: 'corp' }

function scriptedOidc(
  clock: ReturnType<typeof fixedClock>,
  script: { poll?: string[]; refresh?: string; expiresIn?: number; noRefreshToken?: boolean } = {},
) {
  const calls: string[] = []
  const polls = [...(script.poll ?? [])]
  let n = 0
  const grant = (): TokenGrant => ({
    accessToken: `at-${++n}`,
    expiresIn: 8 * 3600,
    refreshToken: script.noRefreshToken ? undefined : `rt-${n}`,
  })
  const port: OidcPort = {
    async registerClient(input) {
      calls.push(`RegisterClient ${input.scopes?.join(' ')}`)
      return { clientId: 'c1', clientSecret: 's1', expiresAt: new Date(clock.now().getTime() + 90 * 86400_000) }
    },
    async startDeviceAuthorization(client: ClientRegistration) {
      calls.push(`StartDeviceAuthorization ${client.clientId}`)
      return {
        deviceCode: 'dc',
        userCode: 'ABCD-EFGH',
        verificationUri: 'https://device.sso/',
        expiresIn: script.expiresIn ?? 600,
        interval: 1,
      }
    },
    async createTokenWithDeviceCode() {
      const next = polls.shift()
      calls.push(`CreateToken device_code${next ? ` → ${next}` : ''}`)
      if (next) throw new AwsCallError(`CreateToken failed: ${next}`, next)
      return grant()
    },
    async createTokenWithRefreshToken(_client, refreshToken) {
      calls.push(`CreateToken refresh_token ${refreshToken}${script.refresh ? ` → ${script.refresh}` : ''}`)
      if (script.refresh) throw new AwsCallError(`CreateToken failed: ${script.refresh}`, script.refresh)
      return grant()
    },
  }
  return { port, calls }
}

function world(
  script: Parameters<typeof scriptedOidc>[1] = {},
  waits: Array<LockWait | undefined> = [],
  awsCliToken?: TokenSourceDeps['awsCliToken'],
) {
  const clock = fixedClock()
  const store = new MemoryStore()
  const oidc = scriptedOidc(clock, script)
  const sleeps: number[] = []
  const shown: string[] = []
  const notices: string[] = []
  const opened: string[] = []
  const source = tokenSource(
    {
      oidc: oidc.port,
      tokens: async () => new OidcTokenStore(store),
      lock: (name, fn, wait) => {
        waits.push(wait)
        return noLock(name, fn)
      },
      clock,
      log: memoryLogger(),
      notice: (l) => notices.push(l),
      awsCliToken,
      show: async (t) => void shown.push(t),
      openBrowser: async (u) => void opened.push(u),
      sleep: async (ms) => {
        sleeps.push(ms)
        clock.advance(ms / 1000)
      },
    },
    session,
  )
  return { clock, store, source, calls: oidc.calls, sleeps, shown, notices, opened }
}

describe('SSO token source', () => {
  it('device login: authorization_pending keeps polling, slow_down adds 5 s (RFC 8628 §3.5)', async () => {
    const w = world({ poll: ['authorization_pending', 'slow_down', 'authorization_pending'] })
    const token = await w.source.get()
    assert.deepEqual(token, { accessToken: 'at-1', cached: false })
    assert.deepEqual(w.sleeps, [1000, 1000, 6000, 6000])
    assert.deepEqual(w.calls, [
      'RegisterClient sso:account:access',
      'StartDeviceAuthorization c1',
      'CreateToken device_code → authorization_pending',
      'CreateToken device_code → slow_down',
      'CreateToken device_code → authorization_pending',
      'CreateToken device_code',
    ])
    assert.match(w.shown[0], /https:\/\/device\.sso\/\n\nand enter the code:\n\n {2}ABCD-EFGH\n/)
    assert.deepEqual(w.opened, ['https://device.sso/'])
  })

  it('processes queued behind a sign-in wait for all of it: their lock wait outlives the device code (issue 16)', async () => {
    const waits: Array<LockWait | undefined> = []
    const w = world({}, waits)
    await w.source.get()
    await w.source.invalidate('at-1')
    assert.equal(waits.length, 2)
    for (const wait of waits) {
      assert.ok(wait && wait.waitMs > deviceLoginLimitMs, `waits ${wait?.waitMs} ms`)
      assert.match(wait.hint, /approve the SSO sign-in another vault process started/)
    }
  })

  it('a device code that claims to live longer than AWS gives is polled for 10 minutes at most', async () => {
    const w = world({ poll: Array(700).fill('authorization_pending'), expiresIn: 3600 })
    await assert.rejects(w.source.get(), { code: 'expired_token' })
    const waited = w.sleeps.reduce((a, b) => a + b, 0)
    assert.ok(waited >= deviceLoginLimitMs && waited <= deviceLoginLimitMs + 1000, `polled for ${waited} ms`)
  })

  it('expired_token: one line saying the code expired and what to do', async () => {
    const w = world({ poll: ['authorization_pending', 'expired_token'] })
    await assert.rejects(w.source.get(), {
      message: 'the SSO login code ABCD-EFGH expired before it was approved',
      hint: 'run the command again and approve the new code',
    })
  })

  it('a stored token outside the refresh window is used with no call', async () => {
    const w = world()
    await w.source.get()
    w.calls.length = 0
    w.clock.advance(7 * 3600)
    assert.deepEqual(await w.source.get(), { accessToken: 'at-1', cached: true })
    assert.deepEqual(w.calls, [])
  })

  it('past expiry, the refresh token is redeemed without a browser', async () => {
    const w = world()
    await w.source.get()
    w.calls.length = 0
    w.clock.advance(8 * 3600 + 60)
    assert.deepEqual(await w.source.get(), { accessToken: 'at-2', cached: false })
    assert.deepEqual(w.calls, ['CreateToken refresh_token rt-1'])
    assert.equal(w.opened.length, 1)
    const stored = await new OidcTokenStore(w.store).get(startUrl)
    assert.equal(stored?.refreshToken, 'rt-2')
  })

  // aws-vault vault/ssorolecredentialsprovider.go: a token expiring within 15 minutes is refreshed
  // (the AWS CLI's botocore SSOTokenProvider uses the same window).
  it('inside the 15-minute window: a token with 10 min left and a refresh token is refreshed', async () => {
    const w = world()
    await w.source.get()
    w.calls.length = 0
    w.clock.advance(8 * 3600 - 10 * 60)
    assert.deepEqual(await w.source.get(), { accessToken: 'at-2', cached: false })
    assert.deepEqual(w.calls, ['CreateToken refresh_token rt-1'])
    assert.equal(w.opened.length, 1, 'no browser for the refresh')
  })

  it('inside the 15-minute window with no refresh token: used while more than 1 min is left, then a new login', async () => {
    const w = world({ noRefreshToken: true })
    await w.source.get()
    w.calls.length = 0
    w.clock.advance(8 * 3600 - 10 * 60)
    assert.deepEqual(await w.source.get(), { accessToken: 'at-1', cached: true })
    assert.deepEqual(w.calls, [])
    w.clock.advance(10 * 60 - 30) // 30 s left
    assert.deepEqual(await w.source.get(), { accessToken: 'at-2', cached: false })
    assert.deepEqual(w.calls, ['StartDeviceAuthorization c1', 'CreateToken device_code'])
  })

  it('invalid_grant on refresh: one line why, then a new login with the stored registration', async () => {
    const w = world({ refresh: 'invalid_grant' })
    await w.source.get()
    w.calls.length = 0
    w.clock.advance(9 * 3600)
    await w.source.get()
    assert.deepEqual(w.notices, [
      `vault: the SSO session for ${startUrl} could not be refreshed (invalid_grant); starting a new login`,
    ])
    assert.deepEqual(w.calls, [
      'CreateToken refresh_token rt-1 → invalid_grant',
      'StartDeviceAuthorization c1',
      'CreateToken device_code',
    ])
  })

  it('an expired client registration: one line why, a new registration, then a new login', async () => {
    const w = world()
    await w.source.get()
    w.calls.length = 0
    w.clock.advance(90 * 86400) // the registration lives 90 days
    await w.source.get()
    assert.deepEqual(w.notices, [
      `vault: the SSO client registration for ${startUrl} has expired; starting a new login`,
    ])
    assert.deepEqual(w.calls, [
      'RegisterClient sso:account:access',
      'StartDeviceAuthorization c1',
      'CreateToken device_code',
    ])
  })

  it('a network error on refresh keeps using a token that has not expired yet', async () => {
    const w = world({ refresh: 'NetworkError' })
    await w.source.get()
    w.clock.advance(8 * 3600 - 300)
    assert.deepEqual(await w.source.get(), { accessToken: 'at-1', cached: true })
  })

  it('invalidate after a 401: the access token goes, the refresh token and registration stay', async () => {
    const w = world()
    await w.source.get()
    await w.source.invalidate('at-1')
    w.calls.length = 0
    assert.deepEqual(await w.source.get(), { accessToken: 'at-2', cached: false })
    assert.deepEqual(w.calls, ['CreateToken refresh_token rt-1'])
  })
})

// Issue 25: the AWS CLI's ~/.aws/sso/cache token is borrowed only while it is valid (botocore
// SSOTokenLoader / aws-vault's use of it: an expired token is never sent), judged by the clock given.
describe("the AWS CLI's cached SSO token (issue 25)", () => {
  const cliToken = (expiresAt: string) => async () => ({ accessToken: 'cli-token', expiresAt: new Date(expiresAt) })

  it('a token valid for 1 h more is used, with no OIDC call', async () => {
    const w = world({}, [], cliToken('2026-11-21T10:00:00Z'))
    assert.deepEqual(await w.source.get(), { accessToken: 'cli-token', cached: true })
    assert.deepEqual(w.calls, [])
  })

  for (const [name, expiresAt] of [
    ['expired an hour ago', '2026-11-21T08:00:00Z'],
    ['expiring this second', '2026-11-21T09:00:00Z'],
    ['with 30 s left', '2026-11-21T09:00:30Z'],
  ]) {
    it(`a token ${name} is not used: a new login instead`, async () => {
      const w = world({}, [], cliToken(expiresAt))
      assert.deepEqual(await w.source.get(), { accessToken: 'at-1', cached: false })
      assert.deepEqual(w.calls, [
        'RegisterClient sso:account:access',
        'StartDeviceAuthorization c1',
        'CreateToken device_code',
      ])
    })
  }

  it('read from the cache file, an expired token is still refused (readAwsCliToken + tokenSource)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-sso-cache-'))
    try {
      const file = join(dir, `${createHash('sha1').update('corp').digest('hex')}.json`)
      await writeFile(file, JSON.stringify({ startUrl, accessToken: 'cli-token', expiresAt: '2026-11-21T08:59:00Z' }))
      const w = world({}, [], (s) => readAwsCliToken(dir, s))
      assert.deepEqual(await w.source.get(), { accessToken: 'at-1', cached: false })
      await writeFile(file, JSON.stringify({ startUrl, accessToken: 'cli-token', expiresAt: '2026-11-21T10:00:00Z' }))
      const fresh = world({}, [], (s) => readAwsCliToken(dir, s))
      assert.deepEqual(await fresh.source.get(), { accessToken: 'cli-token', cached: true })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('OIDC token items (aws-vault vault/oidctokenkeyring.go OIDCTokenData)', () => {
  it('reads an item aws-vault wrote (Go field names, RFC 3339 times, no ClientSecretExpiresAt)', () => {
    const data =
      '{"Token":{"AccessToken":"at","ExpiresIn":28800,"IdToken":null,"RefreshToken":"rt","TokenType":"Bearer","ResultMetadata":{}},"Expiration":"2026-11-21T17:00:00+01:00","ClientID":"c","ClientSecret":"s"}'
    assert.deepEqual(parseOidcToken(data), {
      accessToken: 'at',
      expiresAt: new Date('2026-11-21T16:00:00Z'),
      refreshToken: 'rt',
      clientId: 'c',
      clientSecret: 's',
      clientSecretExpiresAt: undefined,
      scopes: undefined,
    })
  })

  it('is stored as oidc:<start url> in the shape aws-vault reads', async () => {
    const w = world()
    await w.source.get()
    const item = await w.store.get(`oidc:${startUrl}`)
    const obj = JSON.parse(item?.data ?? '{}')
    assert.deepEqual(Object.keys(obj), [
      'Token',
      'Expiration',
      'ClientID',
      'ClientSecret',
      'ClientSecretExpiresAt',
      'Scopes',
    ])
    assert.deepEqual(Object.keys(obj.Token), [
      'AccessToken',
      'ExpiresIn',
      'IdToken',
      'RefreshToken',
      'TokenType',
      'ResultMetadata',
    ])
    assert.equal(obj.Expiration, '2026-11-21T17:00:01Z') // approved after one 1 s poll, then 8 h
    assert.equal(item?.description, 'aws-vault oidc token')
  })
})

describe('SSO session of a profile', () => {
  it('sso:account:access when sso_registration_scopes is unset (as the AWS CLI)', () => {
    const p = profile('dev', { ssoSession: 'corp', ssoStartUrl: startUrl, ssoRegion: 'eu-west-1' })
    assert.deepEqual(ssoSessionOf(p), { startUrl, region: 'eu-west-1', scopes: ['sso:account:access'], name: 'corp' })
  })
  it('legacy form: sso_start_url and sso_region on the profile; scopes split on commas', () => {
    const p = profile('dev', { ssoStartUrl: startUrl, ssoRegion: 'us-east-1', ssoRegistrationScopes: 'a:b, c:d' })
    assert.deepEqual(ssoSessionOf(p).scopes, ['a:b', 'c:d'])
    assert.equal(ssoSessionOf(p).name, undefined)
  })
  it('a missing sso_region names the section and the key', () => {
    assert.throws(() => ssoSessionOf(profile('dev', { ssoSession: 'corp', ssoStartUrl: startUrl })), {
      message: '[sso-session corp]: sso_region is not set',
    })
  })
  it('endpoints from AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL_SSO, else AWS_ENDPOINT_URL', () => {
    assert.deepEqual(
      ssoTarget('us-east-1', { AWS_ENDPOINT_URL_SSO_OIDC: 'http://o', AWS_ENDPOINT_URL: 'http://all' }),
      {
        region: 'us-east-1',
        oidcEndpoint: 'http://o',
        portalEndpoint: 'http://all',
      },
    )
  })
})
