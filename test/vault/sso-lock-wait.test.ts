/**
 * issue 28: callers queued behind an IAM Identity Center device login waited 180 s (the MFA
 * prompt's lock wait) on the role-credentials cache lock its holder keeps through the login,
 * though README promises 10 minutes. Every cache lock on a path through an SSO profile now takes
 * the sign-in wait, derived from the device flow's own limit.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigFile } from '../../src/config/config-file.js'
import { resolveProfile } from '../../src/config/resolve.js'
import { fixedCode } from '../../src/mfa/mfa-source.js'
import { OidcTokenStore } from '../../src/sessions/oidc-token-store.js'
import { deviceLoginLimitMs } from '../../src/sso/device-login.js'
import type { SsoPorts } from '../../src/sso/sso-port.js'
import { signInWait } from '../../src/sso/token-source.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import { providerFor } from '../../src/vault/chain.js'
import { type LockWait, noLock } from '../../src/vault/provider.js'
import { fixedClock, memoryKeys, memoryLogger, memorySessions, recordingSts } from '../fakes/fakes.js'

const config = `[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile deploy]
source_profile = dev
role_arn = arn:aws:iam::222222222222:role/Deploy
`

async function locksTaken(profile: string) {
  const clock = fixedClock()
  const log = memoryLogger()
  const waits: Array<[string, LockWait | undefined]> = []
  const hour = new Date(clock.now().getTime() + 3600_000)
  const ports: SsoPorts = {
    oidc: () => ({
      registerClient: async () => ({ clientId: 'c', clientSecret: 's', expiresAt: new Date('2099-01-01') }),
      startDeviceAuthorization: async () => ({
        deviceCode: 'd',
        userCode: 'U',
        verificationUri: 'https://x/',
        expiresIn: 600,
        interval: 1,
      }),
      createTokenWithDeviceCode: async () => ({ accessToken: 'at', expiresIn: 3600 }),
      createTokenWithRefreshToken: async () => assert.fail('no refresh'),
    }),
    portal: () => ({
      getRoleCredentials: async () => ({
        accessKeyId: 'ASIA1',
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: hour,
      }),
      listAccounts: async () => [],
      listAccountRoles: async () => [],
    }),
  }
  const store = new MemoryStore()
  const p = resolveProfile(ConfigFile.fromText(config, '/home/u/.aws/config', log), profile, {
    env: {},
    log,
    allowMissing: true,
  })
  const provider = await providerFor(p, {
    keys: memoryKeys({}),
    sessions: memorySessions(),
    sts: recordingSts(clock).factory,
    mfa: fixedCode('123456'),
    clock,
    log,
    env: {},
    lock: (name, fn, wait) => {
      waits.push([name.split(',')[0] as string, wait])
      return noLock(name, fn)
    },
    noSession: false,
    windowSeconds: 300,
    sso: {
      ports,
      tokens: async () => new OidcTokenStore(store),
      show: async () => {},
      notice: () => {},
      sleep: async (ms) => clock.advance(ms / 1000),
    },
  })
  await provider.retrieve()
  return waits
}

describe('callers queued behind an SSO sign-in wait as long as it may take (issue 28)', () => {
  it('the SSO role credentials lock and the sign-in lock both take signInWait', async () => {
    const waits = await locksTaken('dev')
    assert.deepEqual(
      waits.map(([name]) => name),
      ['sso.GetRoleCredentials', 'sso.oidc'],
    )
    for (const [, wait] of waits) assert.equal(wait, signInWait)
    assert.ok(signInWait.waitMs > deviceLoginLimitMs)
  })

  it('a role over an SSO profile: its AssumeRole lock waits as long too', async () => {
    const waits = await locksTaken('deploy')
    assert.ok(waits.length >= 2, JSON.stringify(waits))
    for (const [name, wait] of waits) assert.equal(wait, signInWait, `${name} waits ${wait?.waitMs}`)
  })
})
