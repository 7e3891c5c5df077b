/**
 * issue 15, stress: many vault processes at once on one keyring and one moto. Each run is
 * bounded; a process that hangs fails the test with its stderr instead of stalling the suite.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import {
  freshHome,
  type Home,
  mfaRolesConfig,
  quietSdk,
  repoRoot,
  run,
  useServices,
  vault,
  vaultBin,
} from './harness.js'

const roles = Array.from({ length: 4 }, (_, i) => ({ name: `r${i + 1}`, account: String(i + 1).repeat(12) }))

describe('stress: parallel starts and cold exports (issue 15)', () => {
  const services = useServices()
  let home: Home
  let mfaLog: string
  beforeEach(async () => {
    home = await freshHome(services(), '')
    mfaLog = join(home.dir, 'mfa.log')
    // Every code request is logged: one MFA session must serve every process.
    const mfa = join(home.dir, 'mfa.sh')
    // A victim's code request hangs (it is killed there, holding its locks); the others are logged.
    await writeFile(
      mfa,
      `#!/bin/sh\nif [ -n "$VICTIM" ]; then echo $$ >> ${mfaLog}.victims; exec sleep 120; fi\necho run >> ${mfaLog}\necho 123456\n`,
      { mode: 0o700 },
    )
    const config = mfaRolesConfig(roles, { defaultRegion: 'us-east-1' }).replace(
      /^mfa_serial = (.*)$/gm,
      `mfa_serial = $1\nmfa_process = ${mfa}`,
    )
    await home.writeConfig(config)
  })
  afterEach(async () => {
    await home?.cleanup()
  })
  const mfaRuns = async () => (await readFile(mfaLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).length

  it('8 vault exec --ecs-server/--ec2-server started at once all serve their command', async (t) => {
    // Each child asks its server once, as an SDK would, and prints what it got.
    const ask = `
const ecs = process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI
const url = ecs ?? process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT + 'latest/meta-data/iam/security-credentials/' + process.env.AWS_VAULT
const res = await fetch(url, { headers: ecs ? { Authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN } : {} })
const body = await res.json()
console.log(JSON.stringify({ status: res.status, key: body.AccessKeyId }))`
    const started = Date.now()
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        run(
          [
            'exec',
            i % 2 === 0 ? '--ecs-server' : '--ec2-server',
            `r${(i % 4) + 1}`,
            '--',
            process.execPath,
            '--input-type=module',
            '-e',
            ask,
          ],
          { env: { ...home.env, ...quietSdk }, cwd: repoRoot, timeoutMs: 150_000 },
        ),
      ),
    )
    for (const [i, r] of results.entries()) {
      assert.equal(r.code, 0, `server ${i}: ${r.stderr}`)
      const answer = JSON.parse(r.stdout)
      assert.equal(answer.status, 200, r.stdout)
      assert.match(answer.key, /^ASIA/)
    }
    assert.equal(await mfaRuns(), 1, 'one MFA code for all eight')
    await services().recorder.expectCalls({ GetSessionToken: 1, AssumeRole: 4 }, (l) => t.diagnostic(l))
    t.diagnostic(`8 parallel server starts: ${Date.now() - started} ms`)
  })

  it('64 concurrent cold exports all succeed within the bound, with one MFA code', async (t) => {
    const started = Date.now()
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        vault(['export', '--format', 'json', `r${(i % 4) + 1}`], { env: home.env, timeoutMs: 240_000 }),
      ),
    )
    const failed = results.filter((r) => r.code !== 0)
    assert.deepEqual(
      failed.map((r) => r.stderr),
      [],
      `${failed.length} of 64 failed`,
    )
    for (const r of results) assert.equal(JSON.parse(r.stdout).Version, 1)
    assert.equal(await mfaRuns(), 1)
    await services().recorder.expectCalls({ GetSessionToken: 1, AssumeRole: 4 }, (l) => t.diagnostic(l))
    t.diagnostic(`64 concurrent cold exports: ${Date.now() - started} ms`)
  })

  // Issue 28: once a holder killed with -9 had left its lock long enough to go stale, a waiter
  // removed the next holder's live lock (ext4 reuses the inode), and 64 cold exports made 2
  // AssumeRole calls. Here one victim per role is killed while holding its role's lock (and one of
  // them the source session's lock, inside mfa_process); their holdings are then aged past the
  // stale threshold (backdated, not waited for), and 32 cold exports start at once.
  it('holders killed with -9 and aged past stale: 32 cold exports make 1 GetSessionToken and 1 AssumeRole per role', async (t) => {
    const locks = join(home.dir, '.awsvault', 'locks')
    const held = async () => {
      const names = (await readdir(locks).catch(() => [] as string[])).filter(
        (n) => n.endsWith('.lock') && n !== 'store-index.lock',
      )
      const records = await Promise.all(names.map((n) => readdir(join(locks, n)).catch(() => [] as string[])))
      return records.filter((r) => r.length === 1).length
    }
    const victims = roles.map((r) =>
      spawn(process.execPath, [vaultBin, 'export', '--format', 'json', r.name], {
        env: { ...home.env, VICTIM: '1' },
        stdio: 'ignore',
        detached: true,
      }),
    )
    const exited = victims.map((v) => new Promise<void>((r) => v.on('exit', () => r())))
    try {
      // Each victim holds its role's lock; one of them holds the session's too, inside mfa_process.
      const deadline = Date.now() + 90_000
      while ((await held()) < roles.length + 1) {
        for (const v of victims) assert.equal(v.exitCode, null, 'a victim exited before it held its lock')
        assert.ok(Date.now() < deadline, `victims did not take their locks within 90 s (${await held()} held)`)
        await new Promise((r) => setTimeout(r, 100))
      }
    } finally {
      for (const v of victims) {
        try {
          process.kill(-(v.pid as number), 'SIGKILL') // vault and its hanging mfa_process
        } catch {}
      }
      await Promise.all(exited)
      // mfa_process may run in a process group of its own (the helper runner's).
      for (const pid of (await readFile(`${mfaLog}.victims`, 'utf8').catch(() => '')).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {}
      }
    }
    // Aged past any stale threshold: a minute without a refresh.
    const old = new Date(Date.now() - 60_000)
    for (const name of await readdir(locks))
      for (const record of await readdir(join(locks, name)).catch(() => [] as string[]))
        await utimes(join(locks, name, record), old, old)
    assert.equal(await held(), roles.length + 1, "the victims' holdings are left behind")
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        vault(['export', '--format', 'json', `r${(i % 4) + 1}`], { env: home.env, timeoutMs: 240_000 }),
      ),
    )
    assert.deepEqual(
      results.filter((r) => r.code !== 0).map((r) => r.stderr),
      [],
    )
    for (const [i, role] of roles.entries()) {
      const keys = new Set(results.filter((_, j) => j % 4 === i).map((r) => JSON.parse(r.stdout).AccessKeyId))
      assert.equal(keys.size, 1, `every export of ${role.name} printed the same credentials`)
    }
    assert.equal(await mfaRuns(), 1, 'one MFA code after the victims')
    await services().recorder.expectCalls({ GetSessionToken: 1, AssumeRole: 4 }, (l) => t.diagnostic(l))
  })
})
