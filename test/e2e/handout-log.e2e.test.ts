/**
 * `vault log` end to end (issue 26): bin/run.js against the real Secret Service and the strict STS
 * over moto, with real clients (boto3, the servers' SDK clients). Every hand-out leaves exactly one
 * record naming the right requester, and no secret used anywhere reaches the log.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { AuditRecord } from '../../src/audit/record.js'
import { ssoEndpoints } from '../fakes/sso.js'
import { SsoStandIn } from '../sso/stand-in.js'
import {
  type Home,
  makeHome,
  mfaRolesConfig,
  mfaSerial,
  quietSdk,
  repoRoot,
  run,
  testKeys,
  useServices,
  vault,
  vaultBin,
} from './harness.js'
import { SigninStub } from './signin-stub.js'

/** Any six digits pass moto; these are not a pid, an account or a port number anyone will see. */
const mfaCode = '864209'
const roleArn = 'arn:aws:iam::111111111111:role/Dev'

describe('vault log: one record per hand-out, naming who asked (issue 26)', () => {
  const services = useServices()
  const stub = new SigninStub()
  let standIn: SsoStandIn
  let home: Home
  /** Every secret handed out or used in these tests: none may reach the log. */
  const secrets = new Set<string>([testKeys.AWS_SECRET_ACCESS_KEY, testKeys.AWS_ACCESS_KEY_ID, mfaCode])
  const remember = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Token?: string }) => {
    for (const v of [c.AccessKeyId, c.SecretAccessKey, c.SessionToken, c.Token]) if (v) secrets.add(v)
  }

  before(async () => {
    await stub.start()
    standIn = new SsoStandIn({
      onRoleCredentials: (c) => services().sts.trust(c),
      accounts: [{ accountId: '444444444444', accountName: 'sso', emailAddress: 'sso@example.com', roles: ['Admin'] }],
    })
    standIn.autoApprove = true
    await standIn.start()
    home = await makeHome(services(), {
      ...quietSdk,
      VAULT_FEDERATION_ENDPOINT: stub.url,
      ...ssoEndpoints(standIn.url),
    })
    await home.writeConfig(`${mfaRolesConfig([{ name: 'role1', account: '111111111111', region: 'us-east-1' }])}
[profile sdk]
region = us-east-1
credential_process = ${process.execPath} ${vaultBin} export --format json role1

[profile dev]
sso_start_url = https://e2e-log-${process.pid}.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444444444444
sso_role_name = Admin
region = us-east-1
`)
    const added = await vault(['add', 'caktus', '--env'], { env: { ...home.env, ...testKeys } })
    assert.equal(added.code, 0, added.stderr)
    const cleared = await vault(['clear'], { env: home.env })
    assert.equal(cleared.code, 0, cleared.stderr)
    await services().sts.reset()
  })
  after(async () => {
    await stub.stop()
    await standIn?.stop()
    await home?.cleanup()
  })

  /** The log as `vault log --json` prints it. */
  async function records(args: string[] = []): Promise<AuditRecord[]> {
    const res = await vault(['log', '--json', ...args], { env: home.env })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stderr, '')
    return res.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRecord)
  }
  /** The one record a hand-out added. */
  async function added(before: number, kind: string): Promise<AuditRecord> {
    const all = await records()
    assert.equal(all.length, before + 1, `one new record: ${JSON.stringify(all.slice(before))}`)
    const r = all.at(-1) as AuditRecord
    assert.equal(r.kind, kind)
    return r
  }

  it('exec: a miss through GetSessionToken with MFA and AssumeRole, then a fast-path hit; the child is named', async () => {
    const py = "import os, json; print(json.dumps({'pid': os.getpid(), 'k': os.environ['AWS_SECRET_ACCESS_KEY']}))"
    const miss = await vault(['exec', 'role1', '-t', mfaCode, '--', 'python3', '-c', py], { env: home.env })
    assert.equal(miss.code, 0, miss.stderr)
    const child = JSON.parse(miss.stdout)
    secrets.add(child.k)
    const r = await added(0, 'exec')
    assert.deepEqual(r.requester, { argv0: 'python3', pid: child.pid })
    assert.equal(r.profile, 'role1')
    assert.deepEqual(r.chain, { sourceProfile: 'caktus', roleArn })
    assert.deepEqual(r.steps, [
      { kind: 'keys', profile: 'caktus' },
      { kind: 'call', api: 'GetSessionToken', profile: 'caktus', mfaSerial },
      {
        kind: 'call',
        api: 'AssumeRole',
        profile: 'role1',
        roleArn,
        roleSessionName: r.steps[2]?.kind === 'call' ? r.steps[2].roleSessionName : '',
      },
    ])
    assert.match(r.accessKeyId, /^\*{16}[A-Z0-9]{4}$/)
    assert.equal(r.servedBy, 'direct')
    assert.match(r.vault, /^\d+\.\d+\.\d+/)

    const pathLog = join(home.dir, 'paths')
    const hit = await vault(['exec', 'role1', '--', 'sh', '-c', 'echo $$'], {
      env: { ...home.env, VAULT_PATH_LOG: pathLog },
    })
    assert.equal(hit.code, 0, hit.stderr)
    assert.equal((await readFile(pathLog, 'utf8')).trim(), 'fast')
    const h = await added(1, 'exec')
    assert.deepEqual(h.requester, { argv0: 'sh', pid: Number(hit.stdout.trim()) })
    assert.deepEqual(h.steps, [{ kind: 'cache', type: 'sts.AssumeRole', profile: 'role1' }])
    assert.equal(h.accessKeyId, r.accessKeyId)
  })

  it('export, on the fast path and the full path: the requester is the parent process', async () => {
    let n = (await records()).length
    for (const env of [{}, { VAULT_FAST_PATH: '0' }] as Array<Record<string, string>>) {
      const res = await vault(['export', 'role1', '--format', 'json'], { env: { ...home.env, ...env } })
      assert.equal(res.code, 0, res.stderr)
      remember(JSON.parse(res.stdout))
      const r = await added(n++, 'credential_process')
      assert.equal(r.requester.pid, process.pid)
      assert.equal(r.requester.exe, process.execPath)
      assert.ok(
        // This file, run directly or through test/run.js's generated starter (which carries its name).
        r.requester.cmdline?.some((a) => a.includes('handout-log.e2e.test.ts')),
        JSON.stringify(r.requester),
      )
      const plain = await vault(['export', 'role1'], { env: { ...home.env, ...env } })
      assert.equal(plain.code, 0, plain.stderr)
      assert.equal((await added(n++, 'export')).requester.pid, process.pid)
    }
  })

  it('credential_process through boto3: the requester is the Python process', async () => {
    const n = (await records()).length
    const py = `
import boto3, json, os
c = boto3.Session(profile_name='sdk').get_credentials().get_frozen_credentials()
print(json.dumps({'pid': os.getpid(), 'k': c.secret_key, 't': c.token}))`
    const res = await run(['-c', py], { env: home.env, cmd: 'python3' })
    assert.equal(res.code, 0, res.stderr)
    const out = JSON.parse(res.stdout)
    secrets.add(out.k)
    secrets.add(out.t)
    const r = await added(n, 'credential_process')
    assert.equal(r.requester.pid, out.pid)
    assert.match(r.requester.exe ?? '', /python/)
  })

  for (const kind of ['ecs', 'ec2'] as const) {
    it(`the ${kind.toUpperCase()} server: one record per credential response, naming the client's uid, pid and executable`, async () => {
      const n = (await records()).length
      const py = `
import boto3, json, os
c = boto3.Session().get_credentials().get_frozen_credentials()
print(json.dumps({'pid': os.getpid(), 'k': c.secret_key, 't': c.token}))`
      const res = await run(['exec', `--${kind}-server`, 'role1', '--', 'python3', '-c', py], {
        env: { ...home.env, ...quietSdk },
        cwd: repoRoot,
        timeoutMs: 60_000,
      })
      assert.equal(res.code, 0, res.stderr)
      const out = JSON.parse(res.stdout)
      secrets.add(out.k)
      secrets.add(out.t)
      const r = await added(n, `${kind}-server`)
      assert.equal(r.requester.pid, out.pid)
      assert.equal(r.requester.uid, process.getuid?.())
      assert.match(r.requester.exe ?? '', /python/)
      assert.deepEqual(r.steps, [{ kind: 'cache', type: 'sts.AssumeRole', profile: 'role1' }])
    })
  }

  it('login: the sign-in URL is a hand-out of the cached role credentials', async () => {
    const n = (await records()).length
    const res = await vault(['login', 'role1', '--stdout'], { env: home.env })
    assert.equal(res.code, 0, res.stderr)
    const r = await added(n, 'login')
    assert.equal(r.requester.pid, process.pid)
    assert.deepEqual(r.steps, [{ kind: 'cache', type: 'sts.AssumeRole', profile: 'role1' }])
    remember(stub.session(0) as never)
  })

  it('SSO: GetRoleCredentials names the account and role; the OIDC tokens stay out', async () => {
    const n = (await records()).length
    const res = await vault(['export', '--format', 'json', '--no-browser', 'dev'], { env: home.env, timeoutMs: 60_000 })
    assert.equal(res.code, 0, res.stderr)
    remember(JSON.parse(res.stdout))
    for (const t of standIn.issuedAccessTokens()) secrets.add(t)
    const r = await added(n, 'credential_process')
    assert.deepEqual(r.chain, { ssoAccountId: '444444444444', ssoRoleName: 'Admin' })
    assert.deepEqual(r.steps, [
      { kind: 'call', api: 'GetRoleCredentials', profile: 'dev', ssoAccountId: '444444444444', ssoRoleName: 'Admin' },
    ])
  })

  it('the filters, and the table', async () => {
    const all = await records()
    assert.deepEqual(
      (await records(['--kind', 'exec'])).map((r) => r.kind),
      all.filter((r) => r.kind === 'exec').map(() => 'exec'),
    )
    assert.equal((await records(['--profile', 'dev'])).length, 1)
    assert.equal((await records(['--since', '2099-01-01T00:00:00Z'])).length, 0)
    const table = await vault(['log'], { env: home.env })
    assert.equal(table.code, 0, table.stderr)
    assert.equal(table.stdout.split('\n').filter(Boolean).length, all.length + 1)
    assert.match(table.stdout, /AssumeRole < GetSessionToken \(MFA\) < keys of caktus/)
  })

  it('the secret grep: no secret key, session token, MFA code or SSO token anywhere in the log', async () => {
    const dir = join(home.dir, '.awsvault', 'log')
    const text = await readFile(join(dir, 'handouts.jsonl'), 'utf8')
    assert.ok(secrets.size >= 8, `${secrets.size} secrets collected`)
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret reached the log: ${secret.slice(0, 4)}…`)
  })

  it('a torn last line is skipped and reported; AWS_VAULT_LOG=off writes nothing', async () => {
    const file = join(home.dir, '.awsvault', 'log', 'handouts.jsonl')
    const before = await readFile(file, 'utf8')
    await writeFile(file, `${before}{"v":1,"time":"2026-`)
    const res = await vault(['log', '--json'], { env: home.env })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout.split('\n').filter(Boolean).length, before.split('\n').filter(Boolean).length)
    assert.match(res.stderr, /vault: warning: skipped line \d+ of .*handouts\.jsonl: an incomplete record/)
    await writeFile(file, before)
    const off = await vault(['export', 'role1'], { env: { ...home.env, AWS_VAULT_LOG: 'off' } })
    assert.equal(off.code, 0, off.stderr)
    assert.equal(await readFile(file, 'utf8'), before)
  })

  it('a full disk: the hand-out still succeeds, with one warning', async () => {
    const res = await vault(['export', 'role1', '--format', 'json'], {
      env: { ...home.env, AWS_VAULT_LOG: '/dev/full' },
    })
    assert.equal(res.code, 0, res.stderr)
    assert.ok(JSON.parse(res.stdout).AccessKeyId)
    assert.equal(
      res.stderr,
      'vault: warning: could not write the hand-out log (/dev/full): ENOSPC; set AWS_VAULT_LOG=off to turn it off\n',
    )
  })
})
