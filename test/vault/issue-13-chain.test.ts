// Issue 13: every profile gets the STS calls aws-vault (and real STS) would give it. The chain is
// driven through the config reader, over a memory keyring, a fixed clock and a recording STS; each
// case checks the exact calls and the --debug line giving the reason.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { chainFixture } from '../fakes/chain-fixture.js'
import { longTermKeys, mfaSerial } from '../fakes/fakes.js'

const serial = mfaSerial
const other = 'arn:aws:iam::111111111111:mfa/other'

/** Real STS refuses an AssumeRole over 1 h made with temporary credentials (role chaining). */
function assertNoChainedRoleOver1h(calls: ReturnType<typeof chainFixture>['sts']['calls']) {
  for (const c of calls) {
    if (c.op !== 'AssumeRole' || c.signedWith === longTermKeys.accessKeyId) continue
    assert.ok(
      (c.input.durationSeconds as number) <= 3600,
      `AssumeRole for ${c.input.durationSeconds}s with temporary credentials`,
    )
  }
}

describe('issue 13.1: an MFA profile over keys gets an MFA session (caktus-mfa)', () => {
  const caktusMfa = (caktusSerial = '', aliasSerial = serial) => `
[profile caktus]
region = us-east-1
${caktusSerial ? `mfa_serial = ${caktusSerial}` : ''}

[profile caktus-mfa]
source_profile = caktus
${aliasSerial ? `mfa_serial = ${aliasSerial}` : ''}
`

  it('no role_arn, mfa_serial on the alias: GetSessionToken with SerialNumber and TokenCode, signed with the keys', async () => {
    const t = chainFixture({ config: caktusMfa(), keys: ['caktus'] })
    const creds = await t.run('caktus-mfa')
    assert.deepEqual(t.sts.ops(), ['GetSessionToken'])
    assert.deepEqual(t.sts.calls[0].input, {
      durationSeconds: 3600,
      mfa: { serialNumber: serial, tokenCode: '123456' },
    })
    assert.equal(t.sts.calls[0].signedWith, longTermKeys.accessKeyId)
    assert.equal(creds.sessionToken, 'token-1')
    assert.deepEqual(t.mfaRequests, [{ serial, profile: 'caktus-mfa' }])
    assert.deepEqual(t.warnings, [])
    t.debugLine(/^profile caktus: leaving GetSessionToken to profile caktus-mfa, which uses these keys$/)
    t.debugLine(/^profile caktus-mfa: using GetSessionToken with MFA arn:aws:iam::111111111111:mfa\/jon, for 1h$/)
    // Cached under the alias, as aws-vault's session on the profile that primes.
    assert.deepEqual([...t.sessions.items.keys()], [`sts.GetSessionToken|caktus-mfa|${serial}`])
    await t.run('caktus-mfa')
    assert.equal(t.sts.calls.length, 1, 'a second run is a cache hit')
  })

  it('the same serial on both: one chained MFA session on the keys profile, shared with `vault exec caktus`', async () => {
    const t = chainFixture({ config: caktusMfa(serial), keys: ['caktus'] })
    await t.run('caktus-mfa')
    await t.run('caktus')
    assert.deepEqual(t.sts.ops(), ['GetSessionToken'])
    assert.deepEqual(t.sts.calls[0].input.mfa, { serialNumber: serial, tokenCode: '123456' })
    t.debugLine(/^profile caktus: using GetSessionToken with MFA .* \(chained MFA\), for 1h$/)
  })

  it('--duration 2h reaches the alias session', async () => {
    const t = chainFixture({ config: caktusMfa(), keys: ['caktus'] })
    await t.run('caktus-mfa', { overrides: { duration: 7200 } })
    assert.equal(t.sts.calls[0].input.durationSeconds, 7200)
  })

  it('mfa_serial on the keys profile only: no MFA on the path, so a warning and the reason under --debug', async () => {
    const t = chainFixture({ config: caktusMfa(serial, ''), keys: ['caktus'] })
    await t.run('caktus-mfa')
    assert.deepEqual(t.sts.calls[0].input, { durationSeconds: 3600 })
    t.debugLine(/^profile caktus: skipping GetSessionToken because profile 'caktus-mfa' has no MFA serial defined$/)
    t.debugLine(/^profile caktus: mfa_serial .* is not used: profile 'caktus-mfa' has no MFA serial defined$/)
    assert.deepEqual(t.warnings, [
      `profile "caktus" sets mfa_serial, but the credentials for "caktus-mfa" are made without MFA (profile 'caktus-mfa' has no MFA serial defined); run with --debug for details`,
    ])
  })

  it('different serials: the alias makes its own MFA session, and the unused serial is reported', async () => {
    const t = chainFixture({ config: caktusMfa(other, serial), keys: ['caktus'] })
    await t.run('caktus-mfa')
    assert.deepEqual(t.sts.calls[0].input.mfa, { serialNumber: serial, tokenCode: '123456' })
    t.debugLine(/^profile caktus: skipping GetSessionToken because MFA serial doesn't match profile 'caktus-mfa'$/)
    assert.equal(t.warnings.length, 1)
    assert.match(t.warnings[0], /^profile "caktus" sets mfa_serial, but the credentials for "caktus-mfa"/)
  })

  it('--no-session: the keys are handed out, and the skipped MFA is a warning', async () => {
    const t = chainFixture({ config: caktusMfa(), keys: ['caktus'], noSession: true })
    const creds = await t.run('caktus-mfa')
    assert.deepEqual(creds, longTermKeys)
    assert.deepEqual(t.sts.ops(), [])
    t.debugLine(/^profile caktus-mfa: skipping GetSessionToken because --no-session disables sessions$/)
    assert.match(t.warnings[0], /made without MFA \(--no-session disables sessions\)/)
  })

  it('credential_process with mfa_serial: vault makes no MFA call, and says so', async () => {
    const config = `[profile cp]\ncredential_process = printf '{"Version":1,"AccessKeyId":"AKIAPROC","SecretAccessKey":"s"}'\nmfa_serial = ${serial}\n`
    const t = chainFixture({ config, keys: [] })
    await t.run('cp')
    assert.match(
      t.warnings[0],
      /^profile "cp" sets mfa_serial, but the credentials are made without MFA \(credential_process makes the credentials\)/,
    )
  })
})

describe('issue 13.2: the chain never asks STS for a duration it refuses', () => {
  const aliasChain = (roleExtra = '') => `
[profile keys]
region = us-east-1

[profile alias]
source_profile = keys

[profile role]
source_profile = alias
role_arn = arn:aws:iam::222222222222:role/Dev
mfa_serial = ${serial}
${roleExtra}
`

  it('role → alias → keys (1 h): the alias carries a shared MFA session, the role is assumed from it for 1 h', async () => {
    const t = chainFixture({ config: aliasChain(), keys: ['keys'] })
    await t.run('role')
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole'])
    assert.deepEqual(t.sts.calls[0].input, {
      durationSeconds: 8 * 3600,
      mfa: { serialNumber: serial, tokenCode: '123456' },
    })
    assert.equal(t.sts.calls[1].input.durationSeconds, 3600)
    assert.equal(t.sts.calls[1].input.mfa, undefined)
    assert.equal(t.sts.calls[1].signedWith, 'ASIATEMP000000000001')
    assert.deepEqual(t.warnings, [])
  })

  it('role → alias → keys asking 12 h: no session; AssumeRole with MFA straight from the keys for 12 h', async () => {
    const t = chainFixture({ config: aliasChain('duration_seconds = 43200'), keys: ['keys'] })
    await t.run('role')
    assert.deepEqual(t.sts.ops(), ['AssumeRole'])
    assert.equal(t.sts.calls[0].input.durationSeconds, 43200)
    assert.equal(t.sts.calls[0].signedWith, longTermKeys.accessKeyId)
    assert.deepEqual(t.sts.calls[0].input.mfa, { serialNumber: serial, tokenCode: '123456' })
    t.debugLine(
      /^profile alias: skipping GetSessionToken because role role asks for 12h, and AWS caps a role assumed with a session at 1h; assuming it with the long-term keys keeps the full duration$/,
    )
  })

  it('two roles over an alias: the outer role is capped at 1 h, with the reason', async () => {
    const config = `${aliasChain()}
[profile outer]
source_profile = role
role_arn = arn:aws:iam::333333333333:role/Ops
duration_seconds = 43200
`
    const t = chainFixture({ config, keys: ['keys'] })
    await t.run('outer')
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole', 'AssumeRole'])
    assert.equal(t.sts.calls[2].input.durationSeconds, 3600)
    t.debugLine(
      /^profile outer: capping AssumeRole duration from 12h to AWS maximum 1h for role chaining \(the source credentials are a role session\)$/,
    )
    assertNoChainedRoleOver1h(t.sts.calls)
  })

  it('AWS_ASSUME_ROLE_TTL beats duration_seconds (aws-vault populateFromEnv runs before the file)', async () => {
    const config =
      '[profile keys]\n[profile r]\nsource_profile = keys\nrole_arn = arn:aws:iam::2:role/x\nduration_seconds = 7200\n'
    const t = chainFixture({ config, keys: ['keys'], env: { AWS_ASSUME_ROLE_TTL: '2h30m' } })
    await t.run('r')
    assert.deepEqual(t.sts.ops(), ['AssumeRole'])
    assert.equal(t.sts.calls[0].input.durationSeconds, 9000)
    t.debugLine(/^profile "r": AWS_ASSUME_ROLE_TTL \(2h30m\) beats duration_seconds \(2h\), as in aws-vault$/)
  })

  it('--region and --duration reach every profile of the chain', async () => {
    const config = `[profile keys]\nregion = eu-west-1\nmfa_serial = ${serial}\n[profile r]\nsource_profile = keys\nrole_arn = arn:aws:iam::2:role/x\nmfa_serial = ${serial}\nregion = us-west-2\n`
    const t = chainFixture({ config, keys: ['keys'] })
    await t.run('r', { overrides: { region: 'ap-south-1', duration: 1800 } })
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole'])
    assert.deepEqual(
      t.sts.calls.map((c) => c.target.region),
      ['ap-south-1', 'ap-south-1'],
    )
    assert.equal(t.sts.calls[1].input.durationSeconds, 1800)
  })

  it('-t answers whichever profile of the chain needs the code (here the source session)', async () => {
    const config = `[profile keys]\nmfa_serial = ${serial}\n[profile r]\nsource_profile = keys\nrole_arn = arn:aws:iam::2:role/x\n`
    const t = chainFixture({ config, keys: ['keys'] })
    await t.run('r')
    assert.deepEqual(t.mfaRequests, [{ serial, profile: 'keys' }])
    assert.deepEqual(t.sts.calls[0].input.mfa, { serialNumber: serial, tokenCode: '123456' })
  })

  it('an alias over a role without MFA: the role is assumed from the keys, as aws-vault does', async () => {
    const config =
      '[profile k]\n[profile r]\nsource_profile = k\nrole_arn = arn:aws:iam::2:role/x\n[profile top]\nsource_profile = r\n'
    const t = chainFixture({ config, keys: ['k'] })
    await t.run('top')
    assert.deepEqual(t.sts.ops(), ['AssumeRole'])
    assert.equal(t.sts.calls[0].signedWith, longTermKeys.accessKeyId)
    t.debugLine(/^profile k: skipping GetSessionToken because profile 'r' has no MFA serial defined$/)
    t.debugLine(/^profile r: skipping GetSessionToken because profile 'r' has no MFA serial defined$/)
  })

  const matrix: Array<[string, string, string]> = [
    [
      'role over keys, 12h',
      '[profile k]\n[profile r]\nsource_profile = k\nrole_arn = arn:aws:iam::2:role/x\nduration_seconds = 43200\n',
      'r',
    ],
    [
      'role over keys with MFA, 12h',
      `[profile k]\nmfa_serial = ${serial}\n[profile r]\nsource_profile = k\nrole_arn = arn:aws:iam::2:role/x\nduration_seconds = 43200\nmfa_serial = ${serial}\n`,
      'r',
    ],
    [
      'role over alias over alias over keys, 12h',
      `[profile k]\n[profile a]\nsource_profile = k\nmfa_serial = ${serial}\n[profile b]\nsource_profile = a\nmfa_serial = ${serial}\n[profile r]\nsource_profile = b\nrole_arn = arn:aws:iam::2:role/x\nduration_seconds = 43200\nmfa_serial = ${serial}\n`,
      'r',
    ],
    [
      'alias over role over keys, 12h',
      `[profile k]\nmfa_serial = ${serial}\n[profile r]\nsource_profile = k\nrole_arn = arn:aws:iam::2:role/x\nduration_seconds = 43200\n[profile top]\nsource_profile = r\n`,
      'top',
    ],
    [
      'role over role over keys, 12h each',
      `[profile k]\nmfa_serial = ${serial}\n[profile r1]\nsource_profile = k\nrole_arn = arn:aws:iam::2:role/x\nduration_seconds = 43200\n[profile r2]\nsource_profile = r1\nrole_arn = arn:aws:iam::3:role/y\nduration_seconds = 43200\n`,
      'r2',
    ],
  ]
  for (const [name, config, profile] of matrix) {
    it(`never AssumeRole over 1 h with temporary credentials: ${name}`, async () => {
      const t = chainFixture({ config, keys: ['k'] })
      await t.run(profile)
      assertNoChainedRoleOver1h(t.sts.calls)
      await chainFixture({ config, keys: ['k'] }).run(profile, { overrides: { duration: 43200 } })
    })
  }
})

describe('issue 13.4: an explicit --duration is honoured on a cache hit', () => {
  const config = `[profile dev]\nmfa_serial = ${serial}\n`
  it('cached credentials expiring well before the requested duration are not reused; the rule is remaining ≥ requested − window', async () => {
    const t = chainFixture({ config, keys: ['dev'] })
    await t.run('dev') // 1 h session
    t.clock.advance(2 * 60)
    await t.run('dev', { overrides: { duration: 7200 } }) // 58 min left < 2h - 5m
    assert.deepEqual(
      t.sts.calls.map((c) => c.input.durationSeconds),
      [3600, 7200],
    )
    t.debugLine(
      /^profile dev: cached GetSessionToken session expires in 58m, short of the 2h asked for with --duration \(reused only with 1h55m left\): refreshing$/,
    )
    t.clock.advance(4 * 60) // 1h56m left ≥ 1h55m
    await t.run('dev', { overrides: { duration: 7200 } })
    assert.equal(t.sts.calls.length, 2, 'reused while within the window of the requested duration')
    t.clock.advance(2 * 60) // 1h54m left
    await t.run('dev', { overrides: { duration: 7200 } })
    assert.equal(t.sts.calls.length, 3)
    await t.run('dev') // no --duration: any unexpired session outside the window will do
    assert.equal(t.sts.calls.length, 3)
  })

  it('the rule uses the duration STS would actually give: a chained role capped at 1 h is reused', async () => {
    const roles = `[profile k]\nmfa_serial = ${serial}\n[profile r1]\nsource_profile = k\nrole_arn = arn:aws:iam::2:role/x\n[profile r2]\nsource_profile = r1\nrole_arn = arn:aws:iam::3:role/y\n`
    const t = chainFixture({ config: roles, keys: ['k'] })
    await t.run('r2', { overrides: { duration: 7200 } })
    t.clock.advance(60)
    await t.run('r2', { overrides: { duration: 7200 } })
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole', 'AssumeRole'], 'no second round of calls')
    assert.equal(t.sts.calls[2].input.durationSeconds, 3600)
  })
})

describe('issue 13.6: credential_process output is cached until it expires', () => {
  it('a second run within the validity reuses the output; the process runs once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-cp-'))
    const counter = join(dir, 'runs')
    const json =
      '{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s","SessionToken":"t","Expiration":"2026-11-21T10:00:00Z"}'
    await writeFile(join(dir, 'cp.sh'), `echo run >> '${counter}'\nprintf '%s' '${json}'\n`)
    const config = `[profile cp]\ncredential_process = sh '${join(dir, 'cp.sh')}'\n`
    const t = chainFixture({ config, keys: [] })
    try {
      const first = await t.run('cp')
      const second = await t.run('cp')
      assert.equal(first.accessKeyId, 'ASIAPROC')
      assert.deepEqual(second, first)
      assert.equal((await readFile(counter, 'utf8')).trim().split('\n').length, 1)
      t.debugLine(/^profile cp: using cached credential_process output \(expire in 1h0m\)$/)
      assert.deepEqual([...t.sessions.items.keys()], ['credential_process|cp|'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
