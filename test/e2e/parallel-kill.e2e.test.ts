import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, afterEach, before, describe, it } from 'node:test'
import { type Home, makeHome, type Services, startServices, testKeys, vault, vaultBin } from './harness.js'

const serial = 'arn:aws:iam::111111111111:mfa/jon'

// Issue 28: after a kill -9, once the dead holder's lock went stale, a waiter removed the next
// holder's live lock: 64 cold exports made 2 AssumeRole calls in 2 of 20 rounds and printed two
// different keys. Here cold exports of two roles run with vault processes killed with -9 at random
// moments: waiting for a lock, or holding one inside mfa_process (a victim's mfa_process hangs, so
// a victim never reaches STS). The survivors must make one GetSessionToken and one AssumeRole per
// role, and all print the same credentials for a role.
const ROUNDS = 3
const EXPORTS = 16
const VICTIMS = 3

describe('single-flight with holders killed at random (issue 28)', () => {
  let services: Services
  let home: Home
  before(async () => {
    services = await startServices()
  })
  after(async () => {
    await services?.stop()
  })
  afterEach(async () => {
    await home?.cleanup()
  })

  it(`${ROUNDS} rounds of ${EXPORTS} cold exports with ${VICTIMS} processes killed -9: one AssumeRole per role`, async () => {
    home = await makeHome(services)
    const mfa = join(home.dir, 'mfa.sh')
    await writeFile(mfa, '#!/bin/sh\nif [ -n "$VICTIM" ]; then sleep 60; fi\nsleep 0.2\necho 123456\n', {
      mode: 0o700,
    })
    const roles = ['r1', 'r2']
    await home.writeConfig(
      `[default]\nregion = us-east-1\n\n[profile caktus]\nmfa_serial = ${serial}\nmfa_process = ${mfa}\n\n${roles
        .map(
          (r, i) =>
            `[profile ${r}]\nsource_profile = caktus\nrole_arn = arn:aws:iam::${'2'.repeat(11)}${i}:role/Dev\nmfa_serial = ${serial}\nmfa_process = ${mfa}\n`,
        )
        .join('\n')}`,
    )
    assert.equal((await vault(['add', 'caktus', '--env'], { env: { ...home.env, ...testKeys } })).code, 0)
    for (let round = 0; round < ROUNDS; round++) {
      assert.equal((await vault(['clear'], { env: home.env })).code, 0)
      await services.recorder.start()
      const victims = Array.from({ length: VICTIMS }, (_, i) => {
        const child = spawn(process.execPath, [vaultBin, 'export', '--format', 'json', roles[i % 2]], {
          env: { ...home.env, VICTIM: '1' },
          stdio: 'ignore',
          detached: true,
        })
        const killed = new Promise<void>((r) => child.on('exit', () => r()))
        setTimeout(() => {
          try {
            process.kill(-(child.pid as number), 'SIGKILL') // vault and its hanging mfa_process
          } catch {}
        }, Math.random() * 3000)
        return killed
      })
      const results = await Promise.all(
        Array.from({ length: EXPORTS }, async (_, i) => {
          await new Promise((r) => setTimeout(r, Math.random() * 1500))
          const role = roles[i % 2]
          return { role, ...(await vault(['export', '--format', 'json', role], { env: home.env, timeoutMs: 120_000 })) }
        }),
      )
      await Promise.all(victims)
      for (const r of results) assert.equal(r.code, 0, `round ${round}: ${r.stderr}`)
      for (const role of roles) {
        const keys = new Set(results.filter((r) => r.role === role).map((r) => JSON.parse(r.stdout).AccessKeyId))
        assert.equal(keys.size, 1, `round ${round}: every export of ${role} printed the same credentials`)
      }
      assert.equal(await services.recorder.count('GetSessionToken'), 1, `round ${round}`)
      assert.equal(await services.recorder.count('AssumeRole'), roles.length, `round ${round}: one per role`)
    }
  })
})
