/**
 * What the kill-point tests share (issue 15; split into one file per command so that they run at
 * once, issue 27): vault started in its own process group and SIGKILLed after a delay, the span an
 * unkilled run takes, and the checks made after each kill.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { type Home, makeHome, ownKeyring, run, type Services, startServices, vault, vaultBin } from './harness.js'

export const RAW_DRIVER = fileURLToPath(new URL('../stores/keychain-driver.ts', import.meta.url))

export interface Killed {
  killed: boolean
  code: number | null
  stderr: string
}

/** Runs vault in its own process group and SIGKILLs the group after `delayMs`, unless it ended first. */
export async function killedAfter(args: string[], env: Record<string, string>, delayMs: number): Promise<Killed> {
  const child = spawn(process.execPath, [vaultBin, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  })
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr += d))
  const closed = new Promise<number | null>((r) => child.once('close', (code) => r(code)))
  const killGroup = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL')
    } catch {}
  }
  const hard = setTimeout(killGroup, 60_000)
  const ended = await Promise.race([closed.then(() => true), sleep(delayMs).then(() => false)])
  const killed = !ended && child.exitCode === null && child.signalCode === null
  if (killed) killGroup()
  const code = await closed
  clearTimeout(hard)
  return { killed, code, stderr }
}

/**
 * How long an unkilled run takes here and now: the kills land anywhere in that span. `reset` puts
 * things back between runs; the shorter of two runs is taken (the first pays for cold starts).
 */
export async function timed(
  args: string[],
  env: Record<string, string>,
  reset: () => Promise<unknown>,
): Promise<number> {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < 2; i++) {
    const started = Date.now()
    const r = await vault(args, { env, timeoutMs: 60_000 })
    assert.equal(r.code, 0, r.stderr)
    best = Math.min(best, Date.now() - started)
    await reset()
  }
  return best
}

/** One answer a person can act on: vault's one-line error, never a crash or "unexpected error". */
export function assertClear(label: string, r: { code: number | null; stderr: string }) {
  assert.notEqual(r.code, null, `${label}: no exit code`)
  assert.doesNotMatch(r.stderr, /unexpected error|TypeError|SyntaxError|at .*\.js:\d+/, `${label}: ${r.stderr}`)
}

/** Every file under `dir`, for a scan of what vault left on disk. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

export async function assertNoSecretOnDisk(dir: string, secrets: string[]) {
  for (const file of await filesUnder(dir)) {
    const text = await readFile(file, 'latin1').catch(() => '')
    for (const secret of secrets) assert.ok(!text.includes(secret), `${file} holds a secret in plaintext`)
  }
}

/** One vault run that must give its answer: exit 0, or with `allowed`, vault's own one-line error. */
export const ok = async (label: string, args: string[], env: Record<string, string>) => {
  const r = await vault(args, { env, timeoutMs: 60_000 })
  assertClear(label, r)
  assert.equal(r.code, 0, `${label}: vault ${args.join(' ')}: ${r.stderr}`)
  return r
}

/** The session item keys the store index names, and the item keys the keychain holds. */
export async function indexAndKeychain(home: Home) {
  const index = JSON.parse(await readFile(join(home.dir, '.awsvault', 'secret-service.index'), 'utf8')) as {
    profiles: string[]
    sessions: string[]
  }
  const r = await run(['--import', 'tsx', RAW_DRIVER], {
    env: home.env,
    cmd: process.execPath,
    input: JSON.stringify({ ops: [{ op: 'keys' }], timeoutMs: 30_000 }),
    timeoutMs: 60_000,
  })
  const [listed] = JSON.parse(r.stdout) as Array<{ ok: boolean; value: string[]; message?: string }>
  assert.ok(listed.ok, listed.message)
  return { index, keychain: new Set(listed.value) }
}

/**
 * This file's services, and a fresh HOME per test (`home`), or one on a keyring of its own
 * (`ownHome`) for kills that run at once and must not meet in one keyring; all removed after the file.
 */
export function useKillPointServices(): {
  services: () => Services
  home: () => Promise<Home>
  ownHome: () => Promise<Home>
} {
  let services: Services | undefined
  const homes: Home[] = []
  const rings: Services[] = []
  before(async () => {
    services = await startServices()
  })
  after(async () => {
    for (const home of homes) await home.cleanup()
    for (const ring of rings) await ring.stop()
    await services?.stop()
  })
  const current = () => {
    if (!services) throw new Error('e2e: services are not started yet')
    return services
  }
  const home = async (on: Services) => {
    const made = await makeHome(on)
    homes.push(made)
    return made
  }
  return {
    services: current,
    home: () => home(current()),
    ownHome: async () => {
      const ring = await ownKeyring(current())
      rings.push(ring)
      return home(ring)
    },
  }
}
