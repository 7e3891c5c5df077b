/**
 * issue 15, stress: many vault processes at once on one keyring and one moto. Each run is
 * bounded; a process that hangs fails the test with its stderr instead of stalling the suite.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { freshHome, type Home, mfaRolesConfig, quietSdk, repoRoot, run, useServices, vault } from './harness.js'

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
    await writeFile(mfa, `#!/bin/sh\necho run >> ${mfaLog}\necho 123456\n`, { mode: 0o700 })
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
    assert.equal(await services().recorder.count('GetSessionToken'), 1)
    assert.equal(await services().recorder.count('AssumeRole'), 4, 'one per role')
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
    assert.equal(await services().recorder.count('GetSessionToken'), 1)
    assert.equal(await services().recorder.count('AssumeRole'), 4)
    t.diagnostic(`64 concurrent cold exports: ${Date.now() - started} ms`)
  })
})
