import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { type Home, makeHome, type Services, startServices, testKeys, vault, vaultBin } from './harness.js'

const serial = 'arn:aws:iam::111111111111:mfa/jon'

function configFor(mfaProcess: string): string {
  const roles = ['r1', 'r2', 'r3', 'r4']
    .map(
      (name, i) => `[profile ${name}]
source_profile = caktus
role_arn = arn:aws:iam::${i + 1}${i + 1}${i + 1}${i + 1}${i + 1}${i + 1}${i + 1}${i + 1}${i + 1}${i + 1}${i + 1}${i + 1}:role/Dev
mfa_serial = ${serial}
mfa_process = ${mfaProcess}
`,
    )
    .join('\n')
  return `[default]\nregion = us-east-1\n\n[profile caktus]\nmfa_serial = ${serial}\nmfa_process = ${mfaProcess}\n\n${roles}`
}

describe('parallel-safe credential fetches (issue 6)', () => {
  let services: Services
  let home: Home
  let mfaLog: string
  before(async () => {
    services = await startServices()
  })
  after(async () => {
    await services?.stop()
  })
  beforeEach(async () => {
    home = await makeHome(services)
    mfaLog = join(home.dir, 'mfa.log')
    // An mfa_process that records each run, and is slow enough for every process to miss the cache.
    const mfa = join(home.dir, 'mfa.sh')
    await writeFile(mfa, `#!/bin/sh\necho run >> ${mfaLog}\nsleep 0.3\necho 123456\n`, { mode: 0o700 })
    await home.writeConfig(configFor(mfa))
    assert.equal((await vault(['add', 'caktus', '--env'], { env: { ...home.env, ...testKeys } })).code, 0)
    assert.equal((await vault(['clear'], { env: home.env })).code, 0)
    await services.recorder.start()
  })
  afterEach(async () => {
    await home?.cleanup()
  })

  const mfaRuns = async () => (await readFile(mfaLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).length

  it('cold cache, one role: 32 processes, one MFA code, one GetSessionToken, one AssumeRole', async (t) => {
    const results = await Promise.all(
      Array.from({ length: 32 }, () =>
        vault(['export', '--format', 'json', 'r1'], { env: home.env, timeoutMs: 120_000 }),
      ),
    )
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr)
      const json = JSON.parse(r.stdout)
      assert.equal(json.Version, 1)
      assert.ok(json.AccessKeyId && json.SecretAccessKey && json.SessionToken && json.Expiration)
    }
    assert.equal(
      new Set(results.map((r) => JSON.parse(r.stdout).AccessKeyId)).size,
      1,
      'every process got the same credentials',
    )
    assert.equal(await mfaRuns(), 1)
    await services.recorder.expectCalls({ GetSessionToken: 1, AssumeRole: 1 }, (l) => t.diagnostic(l))
  })

  it('cold cache, four roles sharing one source: one MFA code, one session, one AssumeRole per role', async (t) => {
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        vault(['export', '--format', 'json', `r${(i % 4) + 1}`], { env: home.env, timeoutMs: 120_000 }),
      ),
    )
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    assert.equal(await mfaRuns(), 1)
    await services.recorder.expectCalls({ GetSessionToken: 1, AssumeRole: 4 }, (l) => t.diagnostic(l))
  })

  it('a holder killed with -9 mid-fetch: the others recover and exactly one of them fetches', async (t) => {
    // The first process hangs in mfa_process while holding the lock; it is then killed.
    const hang = join(home.dir, 'hang.sh')
    const flag = join(home.dir, 'holder-started')
    await writeFile(
      hang,
      `#!/bin/sh\nif [ ! -e ${flag} ]; then touch ${flag}; echo hang >> ${mfaLog}; sleep 60; fi\necho run >> ${mfaLog}\necho 123456\n`,
      { mode: 0o700 },
    )
    await home.writeConfig(configFor(hang))
    const holder = spawn(process.execPath, [vaultBin, 'export', '--format', 'json', 'r1'], {
      env: home.env,
      stdio: 'ignore',
      detached: true,
    })
    // Until the holder is in mfa_process, holding the lock. A fixed 5 s wait (as before) ran out
    // under load: the waiters then raced the holder for the lock and the order below broke.
    const holderDeadline = Date.now() + 60_000
    while (!(await readFile(flag).catch(() => null))) {
      assert.ok(holder.exitCode === null, `the holder exited with ${holder.exitCode} before reaching mfa_process`)
      assert.ok(Date.now() < holderDeadline, 'the holder did not reach mfa_process within 60 s')
      await new Promise((r) => setTimeout(r, 50))
    }
    const waiters = Array.from({ length: 8 }, () =>
      vault(['export', '--format', 'json', 'r1'], { env: home.env, timeoutMs: 60_000 }),
    )
    await new Promise((r) => setTimeout(r, 500))
    process.kill(-(holder.pid as number), 'SIGKILL')
    const started = Date.now()
    const results = await Promise.all(waiters)
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    assert.ok(Date.now() - started < 30_000, 'recovered within the stale timeout')
    const lines = (await readFile(mfaLog, 'utf8')).split('\n').filter(Boolean)
    assert.deepEqual(lines, ['hang', 'run'], 'exactly one waiter fetched after the holder died')
    await services.recorder.expectCalls({ GetSessionToken: 1, AssumeRole: 1 }, (l) => t.diagnostic(l))
  })
})
