#!/usr/bin/env node
// Runs every test file under test/ with node:test and the TypeScript loader of test/loader/. Node
// 20's --test has no glob support, so the files are collected here. Extra arguments are passed to
// node (e.g. --test-name-pattern).
//
// Speed (issue 27), without changing what any test asserts:
// - Each process pays ~0.3 s of CPU to start Node and the loader (~0.6 s with tsx, which the
//   loader replaced; test/loader/register.mjs). Test files that start no process, wait on no timer
//   and change nothing process-wide (see ownProcess) share a few processes, each a generated file
//   that imports them one after another: their tests run as in their own process.
// - The slowest files start first (slowFirst), so that the run does not end waiting on one of them.
// - Files often wait (on timers, moto, D-Bus, a refresh), so three times as many run at once as
//   there are cores: at two per core, the 2-core machine's cores were busy 78% of a whole run
//   (748 s), at three per core 98% (687 s; /proc/stat sampled every 5 s, issue 27).
//   TEST_CONCURRENCY (or --test-concurrency=N) sets how many.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, constants, tmpdir } from 'node:os'
import { basename, delimiter, dirname, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startMotoPool } from './e2e/moto-pool.mjs'
import { tsNode } from './loader/run-ts.mjs'

const root = new URL('.', import.meta.url).pathname
const files = readdirSync(root, { recursive: true })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => relative(process.cwd(), join(root, f)))
  .sort()
// --quick (npm run test:quick) or TEST_LAYER=quick: the unit, domain and command layers, and
// test/platform/ (what CI runs on macOS and Windows): no end-to-end test, none of the files that
// need Linux's services (a private gnome-keyring or D-Bus, pass and gpg, /proc, moto), and none of
// the system tests below.
const linuxServices = [
  'server/peer-uid.test.ts',
  'sso/stand-in.test.ts',
  'aws-vault/secret-service.test.ts',
  'dbus/connection.test.ts',
  'stores/index-real.test.ts',
  'stores/keychain-real.test.ts',
  'stores/keychain-store.test.ts',
  'stores/pass-store.test.ts',
  'stores/secret-service-direct.test.ts',
]
// System tests outside test/e2e/: they need no Linux service, but they start many processes, race
// them or kill them, or loop thousands of times. `npm test` runs them; --quick, which must stay
// under a minute on a busy 2-core machine (issue 27), does not. Each with why, and its CPU cost there.
const systemTests = {
  'lock/file-lock-race.test.ts': '200 rounds of real processes racing for one lock, with SIGKILLs (~65 CPU-s)',
  'audit/writers.test.ts': '128 writer processes on one log at once, and writers killed with -9 (~45 CPU-s)',
  'output/hostile-formats.test.ts': '~150 runs of real sh, bash, zsh, fish and botocore processes (~30 CPU-s)',
  'dbus/fuzz.test.ts': '100,000 mutated D-Bus messages and 30,000 random ones, in a worker (~6 CPU-s)',
}
const posix = (f) => f.replaceAll('\\', '/')
const e2e = (f) => posix(f).split('/').includes('e2e') || f.endsWith('.e2e.test.ts')
const quick = (f) =>
  !e2e(f) && ![...linuxServices, ...Object.keys(systemTests)].some((l) => posix(f).endsWith(`test/${l}`))

// Measured on the 2-core machine (issue 27), slowest first: a file here starts before the others.
// Only the order depends on this list; a file missing from it still runs.
const slowFirst = [
  // By wall time in a whole run at load 5–15 (a per-file CPU and wall log, issue 27, 2026-12-07):
  // the long ones first, so that the run does not end waiting on one of them. Those that mostly
  // wait (deadlines, servers) overlap there with those that compute.
  'e2e/fast-path-flags.e2e.test.ts',
  'e2e/kill-points-export.e2e.test.ts',
  'e2e/migrate-backend.e2e.test.ts',
  'lock/file-lock-race.test.ts',
  'e2e/import-aws-vault.e2e.test.ts',
  'e2e/exec-argv.e2e.test.ts',
  'e2e/store-stress.e2e.test.ts',
  'e2e/package.e2e.test.ts',
  'e2e/hostile-endpoints.e2e.test.ts',
  'e2e/hostile-output.e2e.test.ts',
  'e2e/import.e2e.test.ts',
  'e2e/sso.e2e.test.ts',
  'e2e/agent.e2e.test.ts',
  'e2e/kill-points-rotate.e2e.test.ts',
  'e2e/keyring-stopped.e2e.test.ts',
  'e2e/server-mfa.e2e.test.ts',
  'e2e/server-ecs.e2e.test.ts',
  'e2e/parallel-stress.e2e.test.ts',
  'e2e/cli-surface.e2e.test.ts',
  'e2e/parallel.e2e.test.ts',
  'e2e/kill-points-remove.e2e.test.ts',
  'e2e/exec-export.e2e.test.ts',
  'dbus/connection.test.ts',
  'e2e/network-faults.e2e.test.ts',
  'output/hostile-formats.test.ts',
  'stores/index-real.test.ts',
  'e2e/store-commands.e2e.test.ts',
  'e2e/agent-serve.e2e.test.ts',
  'audit/writers.test.ts',
]
const rank = (f) => {
  const i = slowFirst.findIndex((s) => posix(f).endsWith(s))
  return i === -1 ? slowFirst.length + (e2e(f) ? 0 : 1) : i
}

/**
 * Files that need a process of their own: they start processes, wait on timers or on other
 * processes, or change what the whole process shares (the environment, the clock, signal
 * handlers). Read from the source, so a new file is judged as it is written.
 */
const ownProcessPattern =
  /node:child_process|node:timers|setTimeout|setInterval|process\.(env\b[^\n]*[^=!<>]=[^=]|chdir|umask|on\(|once\(|exit)|delete process\.env|\bmock\b|\/e2e\/|harness|checked-spawn|gnome-keyring|Worker/
const ownProcess = (f) => e2e(f) || ownProcessPattern.test(readFileSync(f, 'utf8'))

const passed = process.argv.slice(2)
const layer = passed.includes('--quick') ? 'quick' : process.env.TEST_LAYER
if (layer && layer !== 'quick') {
  console.error(`TEST_LAYER=${layer}: the only layer is quick`)
  process.exit(2)
}
const filter = process.env.TEST_ONLY
const selected = (layer ? files.filter(quick) : files).filter((f) => !filter || f.includes(filter))
// With no file, node --test would run its own discovery (test/run.js and test/stress.js among them).
if (selected.length === 0) {
  console.error(`TEST_ONLY=${filter} names no test file under test/`)
  process.exit(2)
}

const cores = availableParallelism()
const concurrencyArg = passed.find((a) => a.startsWith('--test-concurrency='))
const concurrency = Number(concurrencyArg?.split('=')[1] ?? process.env.TEST_CONCURRENCY ?? 3 * cores)
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`TEST_CONCURRENCY=${concurrency}: give a whole number of files to run at once, 1 or more`)
  process.exit(2)
}

// The shared processes: one per core, each taking every n-th of the files (in name order).
const alone = selected.filter(ownProcess)
const shared = selected.filter((f) => !ownProcess(f))
const groups = shared.length < 2 ? [] : Array.from({ length: Math.min(cores, shared.length) }, () => [])
for (const [i, f] of (groups.length ? shared : []).entries()) groups[i % groups.length].push(f)
const groupDir = mkdtempSync(join(tmpdir(), 'vault-test-groups-'))
const cleanUp = () => {
  rmSync(groupDir, { recursive: true, force: true })
}
// node --test sorts the files it is given by path, so the order is kept by names: each process is
// started by a generated file whose name begins with its place in the order. The shared processes
// come right after the files slowFirst names: last, they were the run's tail (~35 s of wall).
const entries = [
  ...[...alone, ...(groups.length ? [] : shared)].map((f) => ({
    rank: rank(f),
    name: posix(f).replaceAll('/', '_'),
    files: [f],
    what: `${f}, in a process of its own`,
  })),
  ...groups.map((group, i) => ({
    rank: slowFirst.length,
    name: `shared-${i + 1}.test`,
    files: group,
    what: `${group.length} test files of test/run.js, in one process`,
  })),
].sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name))
const width = String(entries.length).length
const ordered = entries.map((e, i) => {
  const file = join(groupDir, `${String(i).padStart(width, '0')}-${e.name}.mjs`)
  // Static imports: every file is loaded, and every test known, before the first one runs. Last,
  // test/leak-guard.mjs: it ends a process whose tests have ended but that something left open holds.
  const lines = [...e.files, join(root, 'leak-guard.mjs')].map(
    (f) => `import ${JSON.stringify(pathToFileURL(resolve(f)).href)}`,
  )
  writeFileSync(file, `// ${e.what}\n${lines.join('\n')}\n`)
  return file
})

/**
 * Where pyenv manages Python (as on the CI machines), `python3`, `aws` and `moto_server` on PATH are
 * its shims: bash scripts that ask pyenv which interpreter to run, ~0.33 CPU-s before Python starts
 * (`/usr/bin/time python3 -c 0`: 0.41 s through the shim, 0.06 s direct). The tests start them
 * hundreds of times, so the interpreter's own bin folder goes first on PATH, as `pyenv exec` puts it:
 * the same programs, without the detour. Elsewhere PATH is left as it is.
 */
function pythonFirst(path = '') {
  const dirs = path.split(delimiter)
  const first = dirs.find((d) => d && existsSync(join(d, 'python3')))
  if (!first || basename(first) !== 'shims') return path
  const res = spawnSync(join(first, 'python3'), ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
    timeout: 30_000,
  })
  const bin = res.status === 0 ? dirname(res.stdout.trim()) : ''
  return bin && existsSync(join(bin, 'python3')) ? [bin, ...dirs].join(delimiter) : path
}
process.env.PATH = pythonFirst(process.env.PATH)

// e2e files share moto_servers, one file at a time on each (test/e2e/moto-pool.mjs).
const motoPool = await startMotoPool()
const child = spawn(
  process.execPath,
  [
    ...tsNode,
    '--test',
    `--test-concurrency=${concurrency}`,
    ...passed.filter((a) => a !== '--quick' && a !== concurrencyArg),
    ...ordered,
  ],
  { stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, ...motoPool.env } },
)
// The report passes through unchanged; the failures are said again at its end, where a log cut to its
// last lines (CI's) still shows which test failed and why.
const failures = []
let pending = ''
let open // the failure being read: its lines, and the line that ends its diagnostics
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  const lines = (pending + chunk).split('\n')
  pending = lines.pop()
  for (const line of lines) readLine(line)
})
function readLine(line) {
  if (open) {
    open.lines.push(line)
    if (line === open.end) {
      // A suite that failed only because a test in it failed adds nothing to that test's own report.
      if (!open.lines.some((l) => l.includes("failureType: 'subtestsFailed'"))) failures.push(open.lines)
      open = undefined
    }
    return
  }
  const failed = /^(\s*)not ok \d+ - /.exec(line)
  if (failed) open = { lines: [line], end: `${failed[1]}  ...` }
}
function sayFailures() {
  if (failures.length === 0) return
  process.stdout.write(`# ${failures.length} failed; again, with their diagnostics:\n`)
  for (const lines of failures) for (const line of lines) process.stdout.write(`# ${line}\n`)
}
// Ctrl-C reaches the whole foreground group; a SIGTERM to this runner alone is passed on, and the
// generated files are removed either way.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
child.on('close', async (code, signal) => {
  if (pending) readLine(pending)
  sayFailures()
  cleanUp()
  process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0)
  await motoPool.stop()
  process.exit()
})
