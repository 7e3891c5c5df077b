import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { formatSessionKey, parseSessionKey, type SessionIdentity } from '../../src/stores/session-key.js'
import { profileStatus, renderStatus, type StatusDeps, validity } from '../../src/usecases/status.js'
import { fixedClock } from '../fakes/fakes.js'

// The README's quick-start config: saguaro is a role over caktus, both with the same MFA device.
const config = `[profile caktus]
region = us-east-1
mfa_serial = arn:aws:iam::123456789012:mfa/jonsmith

[profile saguaro]
source_profile = caktus
role_arn = arn:aws:iam::222222222222:role/Developer
mfa_serial = arn:aws:iam::123456789012:mfa/jonsmith

[profile other]
region = eu-west-1

[profile dev]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = Admin
`
const serial = 'arn:aws:iam::123456789012:mfa/jonsmith'

describe('vault status, the use case (issue 17)', () => {
  let home: string
  const clock = fixedClock('2026-11-21T09:42:00Z')
  before(async () => {
    process.env.TZ = 'UTC' // "until 17:42" is local time
    home = await mkdtemp(join(tmpdir(), 'vault-status-'))
    await writeFile(join(home, 'config'), config)
  })
  after(() => rm(home, { recursive: true, force: true }))

  const session = (id: SessionIdentity, iso: string) => parseSessionKey(formatSessionKey(id, new Date(iso)))!
  function deps(
    env: Record<string, string> = {},
    stored = ['caktus'],
    cached?: ReturnType<typeof session>[],
  ): StatusDeps & { reads: number } {
    const d = {
      reads: 0,
      env: { AWS_CONFIG_FILE: join(home, 'config'), ...env },
      homedir: home,
      clock,
      keys: async () => ({ has: async (p: string) => stored.includes(p) }),
      sessions: async () => ({
        list: async () => {
          d.reads++
          if (cached) return cached
          return [
            session({ type: 'sts.GetSessionToken', profile: 'caktus', mfaSerial: serial }, '2026-11-21T17:41:00Z'),
            session({ type: 'sts.AssumeRole', profile: 'saguaro', mfaSerial: serial }, '2026-11-21T09:00:00Z'),
            session({ type: 'sts.GetSessionToken', profile: 'other', mfaSerial: '' }, '2026-11-21T10:00:00Z'),
          ]
        },
      }),
    }
    return d
  }

  it('shows the chain and every cached session on the way, with MFA and the time left', async () => {
    const s = await profileStatus(deps(), { profile: 'saguaro' })
    assert.equal(s.profile, 'saguaro')
    assert.equal(s.active, false)
    assert.deepEqual(s.chain, [
      'profile saguaro: sourcing credentials from source profile caktus',
      'profile caktus: using stored long-term keys',
      `profile caktus: using GetSessionToken with MFA ${serial}, a shared MFA session for its roles (chained MFA), for 8h`,
      `profile saguaro: MFA ${serial} already satisfied by the source session; AssumeRole without MFA`,
      // issue 25: saguaro's AssumeRole is expired, so "cached AssumeRole" would not be true.
      'profile saguaro: credentials from AssumeRole arn:aws:iam::222222222222:role/Developer for saguaro, cached once fetched (nothing usable is cached now: the next exec or export calls STS)',
    ])
    assert.deepEqual(
      s.sessions.map((x) => [x.type, x.profile, x.mfa, x.expiresInSeconds, x.valid]),
      [
        ['sts.AssumeRole', 'saguaro', true, -42 * 60, false],
        ['sts.GetSessionToken', 'caktus', true, 7 * 3600 + 59 * 60, true],
      ],
    )
    const text = renderStatus(s, clock.now())
    assert.match(text, /^ {2}sts\.AssumeRole {7}saguaro {2}MFA {5}expired$/m)
    assert.match(text, /^ {2}sts\.GetSessionToken {2}caktus {3}MFA {5}valid for 7h59m \(until 17:41\)$/m)
  })

  it('defaults to AWS_VAULT and shows the time left of this shell', async () => {
    const s = await profileStatus(deps({ AWS_VAULT: 'other', AWS_CREDENTIAL_EXPIRATION: '2026-11-21T10:00:00Z' }), {})
    assert.equal(s.profile, 'other')
    assert.equal(s.active, true)
    assert.equal(s.shellExpiresInSeconds, 18 * 60)
    assert.deepEqual(
      s.sessions.map((x) => [x.type, x.mfa]),
      [['sts.GetSessionToken', false]],
    )
    assert.match(
      renderStatus(s, clock.now()),
      /^profile other \(active in this shell\)\n {2}this shell: valid for 18m \(until 10:00\)\n/,
    )
  })

  it('without a profile and AWS_VAULT, says how to name one', async () => {
    await assert.rejects(profileStatus(deps(), {}), /no profile given.*AWS_VAULT is not set/)
  })

  it('a profile with no keys is reported, not an error', async () => {
    const s = await profileStatus(deps({}, []), { profile: 'other' })
    assert.deepEqual(s.chain, ['profile "other" has no credentials in the keychain; run: vault add other'])
  })

  it('validity: expired, today, another day', () => {
    const now = new Date('2026-11-21T09:00:00Z')
    assert.equal(validity(0, now, now), 'expired')
    assert.equal(validity(3600, new Date('2026-11-21T10:00:00Z'), now), 'valid for 1h0m (until 10:00)')
    assert.equal(validity(86400, new Date('2026-11-22T09:00:00Z'), now), 'valid for 24h0m (until Nov 22 09:00)')
  })

  // issue 25: status told untruths in these cases.
  it('an SSO profile: the chain is GetRoleCredentials, not "not available here"', async () => {
    const s = await profileStatus(deps({}, [], []), { profile: 'dev' })
    assert.deepEqual(s.chain, [
      'profile dev: using IAM Identity Center role Admin in account 111111111111',
      'profile dev: credentials from SSO GetRoleCredentials for Admin in 111111111111, cached once fetched (nothing usable is cached now: the next exec or export calls IAM Identity Center)',
    ])
  })

  it('a shell of `export --no-session`: long-term keys that do not expire, and the --no-session chain', async () => {
    const s = await profileStatus(
      deps({ AWS_VAULT: 'caktus', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' }, ['caktus'], []),
      {},
    )
    assert.equal(s.shellLongTerm, true)
    assert.equal(s.shellExpiresInSeconds, undefined)
    assert.equal(s.chain.at(-1), 'profile caktus: credentials from long-term keys of caktus')
    assert.match(
      renderStatus(s, clock.now()),
      /^ {2}this shell: long-term keys \(exported with --no-session\); they do not expire$/m,
    )
  })

  it('with nothing cached: no "cached" credentials, and "cached sessions: none"', async () => {
    const s = await profileStatus(deps({ AWS_VAULT: 'saguaro' }, ['caktus'], []), {})
    assert.match(s.chain.at(-1) ?? '', /credentials from AssumeRole .*\(nothing usable is cached now/)
    assert.match(renderStatus(s, clock.now()), /\ncached sessions: none\n$/)
  })

  it('the valid boundary: 0 s left is expired, 1 s is valid; the chain uses a session only outside the expiry window', async () => {
    const at = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000).toISOString()
    const role = (seconds: number) =>
      session({ type: 'sts.AssumeRole', profile: 'saguaro', mfaSerial: serial }, at(seconds))
    const zero = await profileStatus(deps({}, ['caktus'], [role(0)]), { profile: 'saguaro' })
    assert.deepEqual([zero.sessions[0].expiresInSeconds, zero.sessions[0].valid], [0, false])
    const one = await profileStatus(deps({}, ['caktus'], [role(1)]), { profile: 'saguaro' })
    assert.deepEqual([one.sessions[0].expiresInSeconds, one.sessions[0].valid], [1, true])
    // AWS_MIN_TTL (default 5 min): inside it the chain refreshes, so status does not call it cached.
    assert.match(one.chain.at(-1) ?? '', /nothing usable is cached now/)
    const inside = await profileStatus(deps({}, ['caktus'], [role(300)]), { profile: 'saguaro' })
    assert.match(inside.chain.at(-1) ?? '', /nothing usable is cached now/)
    const outside = await profileStatus(deps({}, ['caktus'], [role(301)]), { profile: 'saguaro' })
    assert.match(outside.chain.at(-1) ?? '', /credentials from cached AssumeRole .* \(valid for 5m \(until /)
  })

  // issue 27: status asks the caching decorator's own rule (outsideWindow), so it agrees with the
  // chain to the millisecond: 300.5 s left with a 300 s window is served from the cache, and status
  // said "nothing usable" when it judged by whole seconds.
  it('a session half a second outside the window: cached for the chain, and for status too', async () => {
    // Session keys hold whole seconds, so the clock is the one half a second past a second.
    const expiration = new Date(clock.now().getTime() + 301_000).toISOString()
    const role = session({ type: 'sts.AssumeRole', profile: 'saguaro', mfaSerial: serial }, expiration)
    const halfPast = { now: () => new Date(clock.now().getTime() + 500) }
    const s = await profileStatus({ ...deps({}, ['caktus'], [role]), clock: halfPast }, { profile: 'saguaro' })
    assert.match(s.chain.at(-1) ?? '', /credentials from cached AssumeRole .* \(valid for 5m \(until /)
  })

  it('AWS_VAULT naming another profile: not active, and the shell line says whose credentials it holds', async () => {
    const s = await profileStatus(deps({ AWS_VAULT: 'other', AWS_CREDENTIAL_EXPIRATION: at1h() }), {
      profile: 'saguaro',
    })
    assert.equal(s.active, false)
    assert.equal(s.shellExpiresInSeconds, undefined)
    assert.equal(s.shellProfile, 'other')
    assert.match(
      renderStatus(s, clock.now()),
      /^profile saguaro\n {2}this shell: credentials of profile other, not of saguaro\n/,
    )
  })
  const at1h = () => new Date(clock.now().getTime() + 3600_000).toISOString()
})
