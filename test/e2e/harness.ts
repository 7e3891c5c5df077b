/**
 * End-to-end harness: a private D-Bus with an unlocked gnome-keyring, and a moto_server with the
 * strict STS (test/strict-sts) in front of it, per suite; a fresh HOME and AWS_CONFIG_FILE per test;
 * under test/run.js, the moto_server is a reset one of the run's pool (moto-pool.mjs), this suite's
 * alone until stop(), and the strict STS (still one per suite) starts from the pool's bundle;
 * helpers to run bin/run.js. Every STS call goes through the strict STS, which refuses what AWS
 * refuses; IAM goes to moto directly. Everything a suite creates lives in one temp folder that
 * stop() removes. A missing component throws with an install hint: CI never skips these tests.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { after, before } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { checkedSpawn } from '../fakes/checked-spawn.js'
import { mfaSerial } from '../fakes/fakes.js'
import { isAlive } from '../fakes/is-alive.js'
import { StrictSts, startStrictSts } from '../strict-sts/client.js'
import { lookupAgent } from '../strict-sts/server.js'
import { claimMoto, freePort, startMotoServer } from './moto-pool.mjs'

export { freePort, isAlive }

export const repoRoot = resolve(import.meta.dirname, '..', '..')
export const vaultBin = join(repoRoot, 'bin', 'run.js')

const installHints: Record<string, string> = {
  'dbus-launch': 'apt-get update && apt-get install -y dbus-x11',
  'gnome-keyring-daemon': 'apt-get update && apt-get install -y gnome-keyring',
  'secret-tool': 'apt-get update && apt-get install -y libsecret-tools',
  moto_server: "pip install 'moto[server]'",
  aws: 'pip install awscli',
  tmux: 'apt-get update && apt-get install -y tmux',
}

/** Throws with an install hint when `name` is not on PATH. */
export function requireCommand(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name)
    if (dir && existsSync(candidate)) return candidate
  }
  throw new Error(`e2e: ${name} is not installed; install it with: ${installHints[name] ?? `install ${name}`}`)
}

export interface Services {
  /** Variables that point a process at this suite's D-Bus, strict STS (AWS_ENDPOINT_URL_STS) and moto (IAM). */
  env: Record<string, string>
  motoUrl: string
  /** The strict STS in front of moto: every STS call it saw, and its knobs. */
  sts: StrictSts
  /** This suite's temp folder: homes, the keyring and a private moto's recording live here, and stop() removes it. */
  tmp: string
  /** The gnome-keyring login password (for tests that lock and unlock). */
  keyringPassword: string
  recorder: MotoRecorder
  stop(): Promise<void>
}

export interface StartOptions {
  keyring?: boolean
  moto?: boolean
  /** Start gnome-keyring with this unlock password; a different `unlockWith` leaves it locked. */
  keyringPassword?: string
  unlockWith?: string
}

/**
 * How a suite's folders are removed: the bus and the keyring are told to stop, not waited for, and
 * until they have, one may still add a file (ENOTEMPTY at load 20); rm tries again then.
 */
const removeTree = { recursive: true, force: true, maxRetries: 10, retryDelay: 100 } as const

export async function startServices(options: StartOptions = {}): Promise<Services> {
  const stops: Array<() => Promise<void> | void> = []
  // Every step runs, even after one fails (a folder rm could not remove once left the bus and the
  // keyring running), and the first failure is thrown after them.
  const stop = async () => {
    const failures: unknown[] = []
    for (const fn of stops.reverse())
      await Promise.resolve()
        .then(fn)
        .catch((err: unknown) => failures.push(err))
    if (failures.length) throw failures[0]
  }
  const tmp = await mkdtemp(join(tmpdir(), 'vault-e2e-'))
  stops.push(() => rm(tmp, removeTree))
  try {
    const env: Record<string, string> = {}
    const keyringPassword = options.keyringPassword ?? 'pw'
    if (options.keyring !== false) {
      const dbus = await startKeyring(tmp, keyringPassword, options.unlockWith ?? keyringPassword)
      stops.push(dbus.stop)
      Object.assign(env, dbus.env)
    }
    let motoUrl = ''
    let sts = new StrictSts('http://127.0.0.1:9')
    if (options.moto !== false) {
      const moto = await startMoto(tmp)
      stops.push(moto.stop)
      motoUrl = moto.url
      const strict = await startStrictSts(moto.url, moto.strictSts)
      stops.push(strict.stop)
      sts = strict.sts
      env.AWS_ENDPOINT_URL_STS = sts.url
      env.AWS_ENDPOINT_URL_IAM = moto.url
    }
    return { env, motoUrl, sts, tmp, keyringPassword, recorder: new MotoRecorder(motoUrl), stop }
  } catch (err) {
    await stop()
    throw err
  }
}

async function startKeyring(tmp: string, password: string, unlockWith: string) {
  requireCommand('dbus-launch')
  requireCommand('gnome-keyring-daemon')
  const dir = await mkdtemp(join(tmp, 'keyring-'))
  // gnome-keyring keeps its files under XDG_DATA_HOME and its socket under XDG_RUNTIME_DIR:
  // both private to this suite so suites never share a keyring.
  const base = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
  }
  await mkdir(base.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 })
  // gnome-keyring aborts now and then when many short-lived clients open sessions at once (GNOME
  // gitlab gnome-keyring #190, #196, #199). On a desktop, systemd starts it again; here D-Bus does,
  // through this suite's own activation file (XDG_DATA_HOME comes first), unlocked with the same
  // password as before, so a crash looks to vault as it would on a desktop.
  const services = join(base.XDG_DATA_HOME, 'dbus-1', 'services')
  await mkdir(services, { recursive: true, mode: 0o700 })
  const restart = join(dir, 'restart-keyring.sh')
  await writeFile(
    restart,
    `#!/bin/sh\nprintf '%s' '${unlockWith}' | exec gnome-keyring-daemon --unlock --components=secrets --foreground\n`,
    { mode: 0o700 },
  )
  await writeFile(
    join(services, 'org.freedesktop.secrets.service'),
    `[D-BUS Service]\nName=org.freedesktop.secrets\nExec=${restart}\n`,
    { mode: 0o600 },
  )
  const launched = checkedSpawn('starting the D-Bus session', 'dbus-launch', ['--sh-syntax'], { env: base })
  const address = /DBUS_SESSION_BUS_ADDRESS='([^']+)'/.exec(launched)?.[1]
  const pid = Number(/DBUS_SESSION_BUS_PID=(\d+)/.exec(launched)?.[1])
  if (!address || !pid) throw new Error(`e2e: dbus-launch printed no bus address and pid: ${launched}`)
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address }
  if (password !== unlockWith) {
    // Create the login keyring with `password`, then restart the daemon unlocked with the wrong one:
    // that leaves a real, locked keyring.
    // --replace takes over from the daemon on this suite's bus only; other suites keep theirs.
    await runDaemon(env, password)
    await touchKeyring(env)
    await runDaemon(env, unlockWith, ['--replace'])
    assertLoginKeyringLocked(env)
  } else {
    await runDaemon(env, password)
  }
  return {
    env: {
      DBUS_SESSION_BUS_ADDRESS: address,
      XDG_RUNTIME_DIR: base.XDG_RUNTIME_DIR,
      XDG_DATA_HOME: base.XDG_DATA_HOME,
    },
    stop: async () => {
      // The bus, and every daemon of this suite's (found by its private XDG_RUNTIME_DIR: one the bus
      // started again, or the first of a --replace pair), each waited for up to 3 s: one left
      // running outlived a run at load 20 and kept writing into the folder.
      const ours = [
        pid,
        ...daemonPids(base.XDG_RUNTIME_DIR, 'dbus-daemon'),
        ...daemonPids(base.XDG_RUNTIME_DIR, 'gnome-keyring-daemon'),
      ]
      for (const p of new Set(ours)) {
        try {
          process.kill(p, 'SIGTERM')
        } catch {}
      }
      for (let i = 0; i < 60 && ours.some(isAlive); i++) await sleep(50)
      for (const p of ours.filter(isAlive)) {
        try {
          process.kill(p, 'SIGKILL')
        } catch {}
      }
      await rm(dir, removeTree)
    },
  }
}

async function runDaemon(env: Record<string, string>, password: string, extra: string[] = []) {
  checkedSpawn(
    'starting gnome-keyring-daemon',
    'gnome-keyring-daemon',
    ['--unlock', '--components=secrets', ...extra],
    {
      env,
      input: password,
    },
  )
}

/** Storing an item makes gnome-keyring create the login keyring with the password it was unlocked with. */
async function touchKeyring(env: Record<string, string>) {
  requireCommand('secret-tool')
  checkedSpawn('creating the login keyring', 'secret-tool', ['store', '--label=init', 'service', 'vault-e2e-init'], {
    env,
    input: 'x',
  })
}

/** The locked-keyring tests need a keyring that really is locked; anything else is a setup failure. */
function assertLoginKeyringLocked(env: Record<string, string>) {
  const out = checkedSpawn(
    'reading whether the login keyring is locked',
    'dbus-send',
    [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.secrets',
      '/org/freedesktop/secrets/collection/login',
      'org.freedesktop.DBus.Properties.Get',
      'string:org.freedesktop.Secret.Collection',
      'string:Locked',
    ],
    { env },
  )
  if (!/boolean true/.test(out))
    throw new Error(`test setup: the login keyring is not locked after the restart: ${out}`)
}

/** This suite's moto: one of test/run.js's pool (its socket in VAULT_TEST_MOTO_POOL), or its own. */
async function startMoto(tmp: string): Promise<{ url: string; strictSts?: string; stop: () => Promise<void> }> {
  requireCommand('moto_server')
  const pool = process.env.VAULT_TEST_MOTO_POOL
  if (pool) {
    const claim = await claimMoto(pool)
    return { url: claim.url, strictSts: claim.strictSts, stop: claim.release }
  }
  // One recording file per server, in the suite's temp folder, or suites mix and the repository
  // gets a stray file.
  const dir = await mkdtemp(join(tmp, 'moto-'))
  const moto = await startMotoServer(dir)
  return {
    url: moto.url,
    stop: async () => {
      await moto.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export interface RecordedCall {
  action: string
  body: string
  /** The SDK's id of one call, the same on each of its attempts (amz-sdk-invocation-id). */
  invocation: string
}

/** moto's request recorder: which STS/IAM calls vault made. */
export class MotoRecorder {
  constructor(private readonly url: string) {}
  async start() {
    for (const step of ['reset-recording', 'start-recording']) {
      const res = await fetch(`${this.url}/moto-api/recorder/${step}`, {
        method: 'POST',
        signal: AbortSignal.timeout(30_000),
      })
      if (!res.ok) throw new Error(`test setup: moto ${step} failed: HTTP ${res.status} ${await res.text()}`)
    }
  }
  async calls(): Promise<RecordedCall[]> {
    const text = await (await fetch(`${this.url}/moto-api/recorder/download-recording`)).text()
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const entry = JSON.parse(line) as {
          body?: string
          body_encoded?: boolean
          qs?: Record<string, string[]>
          headers?: Record<string, string>
        }
        // The strict STS's own look-ups (IAM GetRole for a role's limits) are not vault's calls.
        if (entry.headers?.['User-Agent'] === lookupAgent) return { action: '', body: '', invocation: '' }
        const raw = typeof entry.body === 'string' ? entry.body : ''
        const body = entry.body_encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw
        const action = new URLSearchParams(body).get('Action') ?? entry.qs?.Action?.[0] ?? ''
        // moto hands headers back as werkzeug spells them (Amz-Sdk-Invocation-Id).
        const invocation = Object.entries(entry.headers ?? {}).find(
          ([k]) => k.toLowerCase() === 'amz-sdk-invocation-id',
        )
        return { action, body, invocation: invocation?.[1] ?? '' }
      })
      .filter((c) => c.action !== '')
  }
  /** How many times vault called `action`: the attempts of one call (see invocations) count once. */
  async count(action: string): Promise<number> {
    return (await this.invocations(action)).calls
  }
  /**
   * Calls vault made, each counted once however many attempts it took: on a loaded machine an
   * attempt that outlives its deadline (src/aws/deadlines.ts) is sent again, and moto records both.
   */
  async invocations(action: string): Promise<{ calls: number; attempts: number; unnamed: number }> {
    const calls = (await this.calls()).filter((c) => c.action === action)
    return {
      calls: new Set(calls.map((c, i) => c.invocation || `#${i}`)).size,
      attempts: calls.length,
      unnamed: calls.filter((c) => !c.invocation).length,
    }
  }
  /** Single-flight: vault called each action as often as `expected` says (retried attempts apart). */
  async expectCalls(expected: Record<string, number>, diagnostic?: (line: string) => void, where = ''): Promise<void> {
    for (const [action, n] of Object.entries(expected)) {
      const { calls, attempts, unnamed } = await this.invocations(action)
      if (unnamed > 0)
        diagnostic?.(`${where}${action}: ${unnamed} attempts without an invocation id, each counted as a call`)
      if (attempts !== calls)
        diagnostic?.(`${where}${action}: ${calls} calls in ${attempts} attempts (timed-out attempts sent again)`)
      if (calls !== n) throw new Error(`${where}${action}: ${calls} calls (${attempts} attempts), expected ${n}`)
    }
  }
}

export interface Home {
  dir: string
  configFile: string
  /** The environment for a vault process in this home, on this suite's services. */
  env: Record<string, string>
  writeConfig(text: string): Promise<void>
  cleanup(): Promise<void>
}

/** A fresh HOME with ~/.aws, and an env with no AWS variables leaking in from the test runner. */
export async function makeHome(services: Services, extra: Record<string, string> = {}): Promise<Home> {
  // Inside the suite's temp folder, so a test that forgets cleanup() still leaves nothing behind.
  const dir = await mkdtemp(join(services.tmp, 'vault-home-'))
  await mkdir(join(dir, '.aws'), { recursive: true, mode: 0o700 })
  const configFile = join(dir, '.aws', 'config')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    LANG: 'C.UTF-8',
    HOME: dir,
    USER: 'e2e-user',
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_VAULT_FILE_DIR: join(dir, '.awsvault', 'keys'),
    ...services.env,
    ...extra,
  }
  for (const key of ['PYENV_ROOT', 'PYENV_VERSION']) if (process.env[key]) env[key] = process.env[key] as string
  return {
    dir,
    configFile,
    env,
    writeConfig: (text) => writeFile(configFile, text, { mode: 0o600 }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

/**
 * The pids of this suite's `name` processes (dbus-daemon, gnome-keyring-daemon), told apart from
 * other suites' and the machine's by the suite's private XDG_RUNTIME_DIR in their environment.
 */
export function servicePids(services: Services, name: 'dbus-daemon' | 'gnome-keyring-daemon'): number[] {
  return daemonPids(services.env.XDG_RUNTIME_DIR, name)
}

function daemonPids(runtimeDir: string | undefined, name: 'dbus-daemon' | 'gnome-keyring-daemon'): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return (
          readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0].endsWith(name) &&
          readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`XDG_RUNTIME_DIR=${runtimeDir}`)
        )
      } catch {
        return false
      }
    })
    .map(Number)
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `cmd args` (default: node bin/run.js) with stdin from `input`, and a hard timeout (default 120 s). */
export function run(
  args: string[],
  options: { env: Record<string, string>; input?: string; timeoutMs?: number; cmd?: string; cwd?: string },
): Promise<RunResult> {
  const [cmd, argv] = options.cmd ? [options.cmd, args] : [process.execPath, [vaultBin, ...args]]
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, argv, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    // 120 s unless told: a deadline, still, but one a busy machine does not reach (issue 27: two
    // suites and other work at load 35 took `vault exec … -- aws sts get-caller-identity` past 30 s).
    const timeoutMs = options.timeoutMs ?? 120_000
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL')
      } catch {}
      reject(new Error(`timed out after ${timeoutMs} ms: ${cmd} ${argv.join(' ')}\n${stderr}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolveRun({ code, signal, stdout, stderr })
    })
    // A child may exit before reading its input (a usage error, a fast failure, load): its exit code
    // and output say what happened, and an EPIPE on its stdin must not crash the test file.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}

export const vault = (args: string[], options: { env: Record<string, string>; input?: string; timeoutMs?: number }) =>
  run(args, options)

/** AWS's documented example keys: moto accepts them, and they are nobody's secret. */
export const testKeys = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
}

/**
 * Starts this suite's services before its tests and stops them after, even on failure.
 * Returns a getter, since the services exist only once `before` has run.
 */
export function useServices(options: StartOptions = {}): () => Services {
  let services: Services | undefined
  before(async () => {
    services = await startServices(options)
  })
  after(async () => {
    await services?.stop()
  })
  return () => {
    if (!services) throw new Error('e2e: services are not started yet')
    return services
  }
}

/**
 * A keyring of its own (a D-Bus and gnome-keyring) on `services`' moto and strict STS, for homes
 * that work at once and must not see each other's items: vault names an item by profile, not by
 * home, so homes on one keyring share their cached sessions and a `clear` in one empties the others
 * (issue 27). stop() stops this keyring only.
 */
export async function ownKeyring(services: Services): Promise<Services> {
  const ring = await startServices({ moto: false, keyringPassword: services.keyringPassword })
  return { ...services, env: { ...services.env, ...ring.env }, tmp: ring.tmp, stop: ring.stop }
}

/**
 * A fresh HOME with `config`, the test keys stored for `profile` through `vault add --env`, no
 * cached sessions (the keyring outlives a test), and moto's recorder started afresh.
 */
export async function freshHome(
  services: Services,
  config: string,
  profile = 'caktus',
  extra: Record<string, string> = {},
): Promise<Home> {
  const home = await makeHome(services, extra)
  await home.writeConfig(config)
  const added = await vault(['add', profile, '--env'], { env: { ...home.env, ...testKeys } })
  if (added.code !== 0) throw new Error(`e2e: vault add failed: ${added.stderr}`)
  const cleared = await vault(['clear'], { env: home.env })
  if (cleared.code !== 0) throw new Error(`e2e: vault clear failed: ${cleared.stderr}`)
  await services.recorder.start()
  await services.sts.reset()
  return home
}

/** The MFA device of every e2e user (moto accepts any code for it). */
export { mfaSerial }

/** Keeps the AWS SDK's Node 20 support warning out of a child's stderr, which tests compare. */
export const quietSdk = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }

export interface RoleFixture {
  name: string
  account: string
  region?: string
}

/**
 * An ~/.aws/config of the motivating scenario: `[profile caktus]` holds the keys and the MFA
 * device, and each role (`role/Dev` in its account) uses caktus as source with the same serial.
 */
export function mfaRolesConfig(roles: RoleFixture[], options: { defaultRegion?: string } = {}): string {
  const serial = mfaSerial
  const sections = [`[profile caktus]\nregion = us-east-1\nmfa_serial = ${serial}\n`]
  if (options.defaultRegion) sections.unshift(`[default]\nregion = ${options.defaultRegion}\n`)
  for (const r of roles) {
    sections.push(
      `[profile ${r.name}]\nsource_profile = caktus\nrole_arn = arn:aws:iam::${r.account}:role/Dev\nmfa_serial = ${serial}\n${r.region ? `region = ${r.region}\n` : ''}`,
    )
  }
  return sections.join('\n')
}

/** The AWS CLI printing the ARN of the credentials it was given: `assumedRoleArn(account)` for a role. */
export const awsCallerArn = ['aws', 'sts', 'get-caller-identity', '--output', 'text', '--query', 'Arn']

/** The ARN `aws sts get-caller-identity` prints for `role/Dev` in `account`, as the e2e user. */
export const assumedRoleArn = (account: string) => `arn:aws:sts::${account}:assumed-role/Dev/e2e-user`
