/**
 * Issue 15: a Secret Service that stops answering must not hang vault. A stopped (SIGSTOP)
 * process keeps its socket: the kernel still accepts connections, and nothing ever answers.
 *   - dbus-daemon stopped: @napi-rs/keyring connects in the AsyncEntry constructor, on the JS
 *     thread, and libdbus waits for the bus's authentication answer with no timeout (gdb: main
 *     thread in select() under the constructor), so no JS deadline could fire. vault now asks the
 *     bus from Node first, under the 5 s deadline (src/dbus/probe.ts).
 *   - gnome-keyring-daemon stopped: the bus answers and the native call gets D-Bus's "Did not
 *     receive a reply"; vault then exited 137 (a SIGKILL meant for stuck calls), now 69.
 *   - a native call already stuck when its deadline passes (issue 28): it runs in vault's keychain
 *     helper process, which vault kills before it exits 69 itself.
 * Every case ends in one `vault: …` line, exit 69 (EX_UNAVAILABLE, src/errors.ts), within 15 s,
 * on the cache-hit fast path and on the full CLI. Every stopped process is continued in `finally`.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { tsNode } from '../loader/run-ts.mjs'
import { freshHome, type Home, type RunResult, run, servicePids, testKeys, useServices, vault } from './harness.js'

const STUCK_DRIVER = fileURLToPath(new URL('./stuck-call-driver.ts', import.meta.url))

/** The bound issue 15 sets: a vault that meets a silent keyring exits within 15 s. */
const BOUND_MS = 15_000

type Target = 'dbus-daemon' | 'gnome-keyring-daemon'

/** One clear line on stderr, nothing on stdout, exit 69. */
function assertClearFailure(r: RunResult & { ms: number }, what: string) {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}; stderr: ${r.stderr}`)
  assert.equal(r.code, 69, `${what}: exit ${r.code}; stderr: ${r.stderr}`)
  assert.equal(r.stdout, '', `${what}: stdout`)
  const lines = r.stderr.split('\n').filter(Boolean)
  assert.equal(lines.length, 1, `${what}: one line expected, got: ${r.stderr}`)
  assert.match(lines[0], /^vault: .*the Secret Service keyring did not answer.*; .+/, what)
  assert.ok(r.ms < BOUND_MS, `${what}: took ${r.ms} ms`)
}

describe('a Secret Service that stops answering (issue 15)', () => {
  const services = useServices()
  let home: Home
  before(async () => {
    home = await freshHome(services(), '[profile caktus]\nregion = us-east-1\n\n[profile other]\nregion = us-east-1\n')
    // A cached session, so that export is a cache hit the fast path serves.
    const warm = await vault(['export', '--format', 'json', 'caktus'], { env: home.env })
    assert.equal(warm.code, 0, warm.stderr)
  })
  after(async () => {
    await home?.cleanup()
  })

  /** Runs `fn` with the suite's `target` stopped, and continues it afterwards whatever happens. */
  async function whileStopped<T>(target: Target, fn: () => Promise<T>): Promise<T> {
    const pids = servicePids(services(), target)
    assert.ok(pids.length > 0, `the suite has a ${target}`)
    try {
      for (const pid of pids) process.kill(pid, 'SIGSTOP')
      return await fn()
    } finally {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGCONT')
        } catch {}
      }
    }
  }

  const exportHit = async (extra: Record<string, string>, pathLog?: string) => {
    const started = Date.now()
    const env = { ...home.env, ...extra, ...(pathLog ? { VAULT_PATH_LOG: pathLog } : {}) }
    // The harness kills a run at 30 s, so a hang fails as a timeout rather than blocking the suite.
    const r = await vault(['export', '--format', 'json', 'caktus'], { env, timeoutMs: 30_000 })
    return { ...r, ms: Date.now() - started }
  }

  it('a call already inside native code when the bus stops: one line and exit 69 within 15 s, in 8 of 8 runs (issue 28)', async () => {
    // The native call runs in vault's keychain helper process (src/stores/native-host.ts): it
    // sticks there, and vault kills the helper and exits 69 itself. Before, the stuck thread was
    // vault's own, Node waited for it at exit, and only a SIGKILL ended vault (137, every time).
    const driver = (timeoutMs: number) =>
      run([...tsNode, STUCK_DRIVER], { cmd: process.execPath, env: home.env, timeoutMs })
    const alive = await driver(30_000)
    assert.equal(alive.code, 0, `with the bus answering the driver ends normally: ${alive.stderr}`)
    const started = Date.now()
    const runs = await whileStopped('dbus-daemon', () => Promise.all(Array.from({ length: 8 }, () => driver(30_000))))
    const ms = Date.now() - started
    for (const [i, r] of runs.entries()) {
      assert.equal(r.signal, null, `run ${i}: ended by ${r.signal}; stderr: ${r.stderr}`)
      assert.equal(r.code, 69, `run ${i}: exit ${r.code}; stderr: ${r.stderr}`)
      assert.match(r.stderr, /^vault: listing items: the Secret Service keyring did not answer within 5s; [^\n]+\n$/)
    }
    assert.ok(ms < BOUND_MS * 2, `took ${ms} ms`)
  })

  for (const target of ['dbus-daemon', 'gnome-keyring-daemon'] as const) {
    for (const [path, extra] of [
      ['fast', {}],
      ['full', { VAULT_FAST_PATH: '0' }],
    ] as const) {
      it(`${target} stopped: export on the ${path} path exits 69 within 15 s with one line`, async () => {
        const pathLog = join(home.dir, `path-${target}-${path}.log`)
        const r = await whileStopped(target, () => exportHit(extra, pathLog))
        assertClearFailure(r, `${target} stopped, ${path} path`)
        assert.equal((await readFile(pathLog, 'utf8')).trim(), path, 'the path that served the run')
        // Nothing was broken or half-written: once it answers again, the same hit succeeds.
        const again = await exportHit(extra)
        assert.equal(again.code, 0, again.stderr)
        assert.ok(JSON.parse(again.stdout).SessionToken)
      })
    }

    it(`${target} stopped: 16 concurrent exports all exit 69 within 15 s, each with one line`, async (t) => {
      const results = await whileStopped(target, () =>
        Promise.all(Array.from({ length: 16 }, (_, i) => exportHit(i % 2 ? { VAULT_FAST_PATH: '0' } : {}))),
      )
      results.forEach((r, i) => {
        assertClearFailure(r, `run ${i}`)
      })
      t.diagnostic(`slowest of 16: ${Math.max(...results.map((r) => r.ms))} ms`)
    })

    it(`${target} stopped: exec (fast path) and add end the same way, and add stores nothing`, async () => {
      const timed = async (args: string[], env: Record<string, string>) => {
        const started = Date.now()
        const r = await vault(args, { env, timeoutMs: 30_000 })
        return { ...r, ms: Date.now() - started }
      }
      const [exec, add] = await whileStopped(target, () =>
        Promise.all([
          timed(['exec', 'caktus', '--', 'true'], home.env),
          timed(['add', 'other', '--env'], { ...home.env, ...testKeys }),
        ]),
      )
      assertClearFailure(exec, 'exec')
      assertClearFailure(add, 'add')
      // Nothing half-written: no key, and no index entry that claims one (src/errors.ts: 3 = not found).
      const after = await vault(['export', '--no-session', 'other'], { env: home.env })
      assert.equal(after.code, 3, after.stderr)
      assert.match(after.stderr, /no credentials/, after.stderr)
      const list = await vault(['list', '--credentials'], { env: home.env })
      assert.equal(list.code, 0, list.stderr)
      assert.deepEqual(list.stdout.split('\n').filter(Boolean), ['caktus'])
    })
  }
})
