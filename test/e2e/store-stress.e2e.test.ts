import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { tsNode } from '../loader/run-ts.mjs'
import { type Home, run, testKeys, vault, vaultBin } from './harness.js'
import { useKillPointServices } from './kill-points.js'

/**
 * Issue 15, against the real Secret Service (gnome-keyring on a private D-Bus) and moto:
 * - exports racing clears: every export succeeds (a session deleted under a read is a miss,
 *   a listing that meets a deleted item is listed again; never "keyring not available");
 * - `vault add` killed with SIGKILL at random points, 50+ times: no completed add's key is lost,
 *   and after lookups the index names exactly the keys the keychain holds.
 * Both are bounded: fixed counts, each process under a deadline.
 */

const RAW_DRIVER = fileURLToPath(new URL('../stores/keychain-driver.ts', import.meta.url))

/** The item keys the keychain itself holds (a listing, past vault's index). */
async function keychainKeys(env: Record<string, string>): Promise<string[]> {
  const r = await run([...tsNode, RAW_DRIVER], {
    env,
    cmd: process.execPath,
    input: JSON.stringify({ ops: [{ op: 'keys' }], timeoutMs: 30_000 }),
    timeoutMs: 60_000,
  })
  const [result] = JSON.parse(r.stdout) as Array<{ ok: boolean; value: string[]; message?: string }>
  assert.ok(result.ok, result.message)
  return result.value
}

async function indexProfiles(home: Home): Promise<string[]> {
  const text = await readFile(join(home.dir, '.awsvault', 'secret-service.index'), 'utf8')
  return (JSON.parse(text) as { profiles: string[] }).profiles.sort()
}

describe('stores under stress against the real Secret Service (issue 15)', () => {
  const { home: newHome } = useKillPointServices()

  it('3 loops of `export --format json` racing a loop of `clear`: every export succeeds', async (t) => {
    const home = await newHome()
    await home.writeConfig('[profile dev]\nregion = us-east-1\n')
    assert.equal((await vault(['add', 'dev', '--env'], { env: { ...home.env, ...testKeys } })).code, 0)
    const EXPORTS_PER_LOOP = 25
    let exporting = true
    let clears = 0
    const failures: string[] = []
    const clearer = (async () => {
      while (exporting) {
        const r = await vault(['clear', 'dev'], { env: home.env, timeoutMs: 60_000 })
        if (r.code !== 0) failures.push(`clear: ${r.code} ${r.stderr}`)
        clears++
      }
    })()
    const exporters = Array.from({ length: 3 }, async () => {
      for (let i = 0; i < EXPORTS_PER_LOOP; i++) {
        const r = await vault(['export', '--format', 'json', 'dev'], { env: home.env, timeoutMs: 60_000 })
        if (r.code !== 0) failures.push(`export: ${r.code} ${r.stderr}`)
        else assert.equal(JSON.parse(r.stdout).Version, 1)
      }
    })
    try {
      await Promise.all(exporters)
    } finally {
      exporting = false
      await clearer
    }
    t.diagnostic(`${3 * EXPORTS_PER_LOOP} exports, ${clears} clears`)
    assert.deepEqual(failures, [])
    assert.ok(clears >= 5, `only ${clears} clears ran alongside the exports`)
  })

  it('`vault add` killed with SIGKILL at random points 50 times loses no key, and lookups leave the index agreeing with the keychain', async (t) => {
    const home = await newHome()
    const profiles = ['k0', 'k1', 'k2', 'k3', 'k4']
    await home.writeConfig(profiles.map((p) => `[profile ${p}]\nregion = us-east-1\n`).join('\n'))
    const keyFor = (i: number) => `AKIAKILLTEST${String(i).padStart(8, '0')}`
    const add = (profile: string, i: number) =>
      spawn(process.execPath, [vaultBin, 'add', profile, '--env', '--no-add-config'], {
        env: { ...home.env, AWS_ACCESS_KEY_ID: keyFor(i), AWS_SECRET_ACCESS_KEY: 'k'.repeat(40) },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    // How long one add takes here and now: the kills land anywhere in that span.
    const started = Date.now()
    const first = await vault(['add', 'k0', '--env', '--no-add-config'], {
      env: { ...home.env, AWS_ACCESS_KEY_ID: keyFor(0), AWS_SECRET_ACCESS_KEY: 'k'.repeat(40) },
      timeoutMs: 60_000,
    })
    assert.equal(first.code, 0, first.stderr)
    const span = Date.now() - started
    const attempted = new Map<string, Set<string>>(profiles.map((p) => [p, new Set<string>()]))
    const completed = new Set<string>(['k0'])
    attempted.get('k0')?.add(keyFor(0))
    let killed = 0
    // Until 50 adds were killed: an add that finished before its kill (the span was measured once,
    // and load varies) is simply another completed add, and the loop goes on.
    for (let i = 1; killed < 50; i++) {
      assert.ok(i <= 200, `only ${killed} of ${i - 1} adds were killed before they finished`)
      const profile = profiles[i % profiles.length]
      attempted.get(profile)?.add(keyFor(i))
      const child = add(profile, i)
      let stderr = ''
      child.stderr?.on('data', (d) => (stderr += d))
      const closed = new Promise<number | null>((r) => child.once('close', (code) => r(code)))
      const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000)
      await Promise.race([closed, sleep(Math.random() * span * 1.2)])
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL')
        killed++
      }
      const code = await closed
      clearTimeout(deadline)
      if (code === 0) completed.add(profile)
      else if (code !== null) assert.fail(`vault add ${profile} exited ${code}: ${stderr}`)
    }

    // No key lost: every profile an add completed for holds one of the keys tried for it.
    for (const profile of completed) {
      const r = await vault(['export', '--no-session', '--format', 'json', profile], {
        env: home.env,
        timeoutMs: 60_000,
      })
      assert.equal(r.code, 0, `${profile}: ${r.stderr}`)
      assert.ok(attempted.get(profile)?.has(JSON.parse(r.stdout).AccessKeyId), r.stdout)
    }
    // A kill inside the index update leaves its lock until it goes stale (10 s); the repairs below
    // never wait for a lock (readers do not), so let a dead holder's lock go stale first.
    const lock = join(home.dir, '.awsvault', 'locks', 'store-index.lock')
    if (existsSync(lock)) await sleep(11_000)
    // Every key the keychain holds is found by a lookup, which names it in the index.
    const inKeychain = (await keychainKeys(home.env)).filter((k) => profiles.includes(k)).sort()
    const named = await indexProfiles(home)
    t.diagnostic(
      `${killed} adds killed, span ${span} ms; keys the index lacked before the lookups: ${inKeychain.filter((p) => !named.includes(p)).join(' ') || 'none'}`,
    )
    for (const profile of inKeychain) {
      const r = await vault(['export', '--no-session', '--format', 'json', profile], {
        env: home.env,
        timeoutMs: 60_000,
      })
      assert.equal(r.code, 0, `${profile} is in the keychain, yet: ${r.stderr}`)
    }
    // (The suite's keyring is shared by its homes: the other test's profile is not this one's.)
    assert.deepEqual(
      (await indexProfiles(home)).filter((p) => profiles.includes(p)),
      inKeychain,
    )
  })
})
