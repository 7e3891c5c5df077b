/**
 * Issue 13: configs from public aws-vault guides, run through bin/run.js against the strict STS
 * (test/strict-sts), which refuses what AWS refuses. Each test asserts the exact STS calls vault
 * made, as the strict STS recorded them.
 */
import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import type { StsCall } from '../strict-sts/client.js'
import { mfaSerial, useServices, vault } from './harness.js'
import { useSharedHome } from './shared-home.js'

const devArn = 'arn:aws:iam::111111111111:role/Dev'
const printKey = ['--', 'sh', '-c', 'printf %s "$AWS_ACCESS_KEY_ID"']

/** `[profile caktus]` holds the keys; `dev` is a role over them. */
const roleConfig = (devExtra = '') => `[profile caktus]
region = us-east-1

[profile dev]
source_profile = caktus
role_arn = ${devArn}
${devExtra}`

/** AssumeRole with temporary credentials for more than an hour: what AWS refuses as role chaining. */
const chainedPastOneHour = (c: StsCall) =>
  c.action === 'AssumeRole' && c.caller.credentials !== 'long-term' && (c.durationSeconds ?? 3600) > 3600

describe('vault against an STS that enforces AWS rules (issue 13)', () => {
  const services = useServices()
  // No test here changes the keys: one home, no cached session at each start, each test's config.
  const shared = useSharedHome(services, '')
  const homeWith = async (config: string) => {
    const home = shared()
    await home.writeConfig(config)
    return home
  }
  beforeEach(async () => {
    await services().sts.lifetime({})
  })

  it('caktus-mfa (mfa_serial over source_profile keys, no role_arn): one GetSessionToken with SerialNumber and TokenCode', async () => {
    // The jump profile of aws-vault's USAGE.md: `-t` is used, and the session is an MFA session.
    const home = await homeWith(
      `[profile caktus]\nregion = us-east-1\n\n[profile caktus-mfa]\nsource_profile = caktus\nmfa_serial = ${mfaSerial}\n`,
    )
    const res = await vault(['exec', 'caktus-mfa', '-t', '123456', ...printKey], { env: home.env })
    assert.equal(res.code, 0, res.stderr)
    const calls = await services().sts.calls()
    assert.deepEqual(
      calls.map((c) => [c.action, c.status, c.caller.keyKind, c.caller.credentials, c.serialNumber, c.tokenCode]),
      [['GetSessionToken', 200, 'AKIA', 'long-term', mfaSerial, true]],
    )
    assert.equal(calls[0].issued?.mfa, true)
    assert.equal(res.stdout, calls[0].issued?.accessKeyId, 'the command runs with the MFA session')
  })

  it('role → alias (no role_arn) → keys, 12h role: never an AssumeRole over a session for more than 1h', async () => {
    await services().sts.role(devArn, { maxSessionDuration: 43200 })
    const home = await homeWith(`[profile caktus]
region = us-east-1

[profile alias]
source_profile = caktus

[profile dev]
source_profile = alias
role_arn = ${devArn}
duration_seconds = 43200
`)
    const res = await vault(['exec', 'dev', ...printKey], { env: home.env })
    const calls = await services().sts.calls()
    assert.deepEqual(calls.filter(chainedPastOneHour), [], 'vault asked for role chaining past 1h')
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(
      calls.map((c) => [c.action, c.status]).filter(([a]) => a === 'AssumeRole'),
      [['AssumeRole', 200]],
    )
    assert.equal(res.stdout, calls.at(-1)?.issued?.accessKeyId)
  })

  // AWS's minimum for every STS duration is 900 s. Each source is checked before any STS call,
  // with one error line that names it.
  const tooShort: Array<{ given: string; args: string[]; env: Record<string, string>; file: string; names: RegExp }> = [
    { given: '--duration 5m', args: ['--duration', '5m'], env: {}, file: '', names: /--duration/ },
    { given: '--duration 0', args: ['--duration', '0'], env: {}, file: '', names: /--duration/ },
    {
      given: 'AWS_ASSUME_ROLE_TTL=120',
      args: [],
      env: { AWS_ASSUME_ROLE_TTL: '120' },
      file: '',
      names: /AWS_ASSUME_ROLE_TTL/,
    },
    {
      given: 'duration_seconds = 300',
      args: [],
      env: {},
      file: 'duration_seconds = 300\n',
      names: /duration_seconds/,
    },
  ]
  for (const c of tooShort) {
    it(`${c.given}: one clear error naming the source, non-zero exit, no STS call`, async () => {
      const home = await homeWith(roleConfig(c.file))
      const res = await vault(['exec', 'dev', ...c.args, '--', 'true'], { env: { ...home.env, ...c.env } })
      assert.notEqual(res.code, 0)
      assert.equal(res.stdout, '')
      const lines = res.stderr.trim().split('\n')
      assert.equal(lines.length, 1, res.stderr)
      assert.match(lines[0], /^vault: /)
      assert.match(lines[0], c.names)
      assert.deepEqual(await services().sts.calls(), [])
    })
  }

  it('AWS_ASSUME_ROLE_TTL beats duration_seconds (aws-vault: the environment wins)', async () => {
    const home = await homeWith(roleConfig('duration_seconds = 3600\n'))
    const res = await vault(['exec', 'dev', '--', 'true'], { env: { ...home.env, AWS_ASSUME_ROLE_TTL: '20m' } })
    assert.equal(res.code, 0, res.stderr)
    const roles = (await services().sts.calls()).filter((c) => c.action === 'AssumeRole')
    assert.deepEqual(
      roles.map((c) => [c.roleArn, c.durationSeconds, c.status]),
      [[devArn, 1200, 200]],
    )
  })

  it('-d 2h on a cache hit with 58 minutes left fetches a new 2h role', async () => {
    await services().sts.role(devArn, { maxSessionDuration: 43200 })
    const home = await homeWith(roleConfig())
    // The first run caches role credentials that have 58 minutes left.
    await services().sts.lifetime({ AssumeRole: 58 * 60 })
    const first = await vault(['exec', 'dev', '--', 'true'], { env: home.env })
    assert.equal(first.code, 0, first.stderr)
    await services().sts.lifetime({})
    await services().sts.reset()

    const res = await vault(['exec', 'dev', '-d', '2h', ...printKey], { env: home.env })
    assert.equal(res.code, 0, res.stderr)
    const calls = await services().sts.calls()
    const roles = calls.filter((c) => c.action === 'AssumeRole')
    assert.deepEqual(
      roles.map((c) => [c.durationSeconds, c.status]),
      [[7200, 200]],
    )
    assert.equal(res.stdout, roles[0].issued?.accessKeyId, 'the command runs with the new role credentials')
  })
})
