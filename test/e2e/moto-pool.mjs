/**
 * moto servers shared by the e2e files of one test/run.js run (issue 27). A moto_server costs
 * ~1.2 CPU-s and, on a busy machine, 10 s or more before it answers; a reset costs ~0.2 s.
 *
 * test/run.js starts the pool (startMotoPool) and hands its socket to the test files in
 * VAULT_TEST_MOTO_POOL. The harness claims a server (claimMoto): it is the claimer's alone for as
 * long as the claimer's connection stays open. When the connection closes (release, or the test
 * process died), the pool resets the server (moto's backends and its recorder) before anyone else
 * gets it, so each file sees a fresh moto. With no free server the pool starts another one. The
 * pool also bundles the strict STS once (esbuild), so a file starts it without a TypeScript loader.
 *
 * Plain JavaScript: test/run.js runs without a TypeScript loader. moto-pool.d.mts declares it
 * for TypeScript.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const repoRoot = resolve(import.meta.dirname, '..', '..')
// As before the pool: moto starts in ~4 s on an idle machine; a busy one took over 30 s.
const startDeadlineMs = 120_000
const resetDeadlineMs = 30_000
const stopDeadlineMs = 10_000

/** A port free now, for a server that cannot be told to pick its own (moto_server). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Starts moto_server recording to `dir`/recording (moto records to ./moto_recording unless told
 * otherwise), and waits until it answers. `child` is there at once, so a caller can stop it early.
 */
export async function startMotoServer(dir, onChild = () => {}) {
  const port = await freePort()
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      MOTO_ENABLE_RECORDING: 'True',
      MOTO_RECORDER_FILEPATH: join(dir, 'recording'),
    },
    cwd: dir,
    stdio: 'ignore',
  })
  onChild(child)
  const url = `http://127.0.0.1:${port}`
  const stop = () => stopChild(child)
  const deadline = Date.now() + startDeadlineMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`e2e: moto_server exited with ${child.exitCode}`)
    try {
      const res = await fetch(`${url}/moto-api/data.json`, { signal: AbortSignal.timeout(10_000) })
      if (res.ok) break
    } catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`e2e: moto_server did not start within ${startDeadlineMs / 1000} s`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { url, child, stop }
}

/** SIGTERM, then SIGKILL if the child is still there after stopDeadlineMs. */
async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), stopDeadlineMs)
  await exited
  clearTimeout(timer)
}

/** What a fresh moto_server holds: no AWS resources, and an empty recording that is on. */
async function resetMoto(url) {
  for (const path of ['reset', 'recorder/reset-recording', 'recorder/start-recording']) {
    const res = await fetch(`${url}/moto-api/${path}`, { method: 'POST', signal: AbortSignal.timeout(resetDeadlineMs) })
    if (!res.ok) throw new Error(`moto ${path}: HTTP ${res.status}`)
  }
}

/** test/strict-sts/main.ts as one plain module, so that a strict STS starts without a TypeScript loader. */
async function bundleStrictSts(dir) {
  const { build } = await import('esbuild')
  const outfile = join(dir, 'strict-sts.mjs')
  await build({
    entryPoints: [join(repoRoot, 'test', 'strict-sts', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
  })
  return outfile
}

/**
 * Starts an empty pool: servers start on the first claims. `env` names its socket for the test
 * files; stop() stops every server and removes the pool's folder.
 */
export async function startMotoPool() {
  const dir = mkdtempSync(join(tmpdir(), 'vault-moto-pool-'))
  const socketPath = join(dir, 'pool.sock')
  /** @type {Set<{ url?: string, child?: import('node:child_process').ChildProcess, busy: boolean, dead?: boolean }>} */
  const servers = new Set()
  /** Claims waiting for a server being reset. */
  const waiters = []
  const sockets = new Set()
  let resetting = 0
  let stopping = false
  let bundled
  let count = 0

  const launch = async () => {
    const entry = { busy: true }
    servers.add(entry)
    const serverDir = join(dir, `moto-${++count}`)
    mkdirSync(serverDir, { mode: 0o700 })
    try {
      const moto = await startMotoServer(serverDir, (child) => {
        entry.child = child
        if (stopping) child.kill('SIGKILL')
      })
      entry.url = moto.url
      return entry
    } catch (err) {
      entry.dead = true
      throw err
    }
  }
  const server = () => {
    const free = [...servers].find((s) => !s.busy && !s.dead && s.url)
    if (free) {
      free.busy = true
      return free
    }
    // A server being reset is free within a second; starting one takes seconds of CPU.
    if (resetting > waiters.length) return new Promise((resolve, reject) => waiters.push({ resolve, reject }))
    return launch()
  }
  const claim = async () => {
    if (stopping) throw new Error('the pool is stopping')
    bundled ??= bundleStrictSts(dir)
    const [entry, strictSts] = await Promise.allSettled([server(), bundled])
    if (entry.status === 'rejected') throw entry.reason
    if (strictSts.status === 'rejected') {
      handOver(entry.value)
      throw strictSts.reason
    }
    return { entry: entry.value, strictSts: strictSts.value }
  }
  const handOver = (entry) => {
    const waiter = waiters.shift()
    if (waiter) waiter.resolve(entry)
    else entry.busy = false
  }
  const release = async (entry) => {
    if (stopping) return
    resetting += 1
    const reset = await resetMoto(entry.url).then(
      () => true,
      () => false,
    )
    resetting -= 1
    if (reset) return handOver(entry)
    // A server that cannot be reset is not handed out again; a claim waiting for it gets a new one.
    entry.dead = true
    const waiter = waiters.shift()
    if (waiter) launch().then(waiter.resolve, waiter.reject)
    if (entry.child) await stopChild(entry.child)
  }

  const listener = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.once('data', () => {
      const claimed = claim()
      socket.once('close', () =>
        claimed.then(
          ({ entry }) => release(entry),
          () => {},
        ),
      )
      claimed.then(
        ({ entry, strictSts }) => socket.write(`${JSON.stringify({ url: entry.url, strictSts })}\n`),
        (err) => socket.end(`${JSON.stringify({ error: String(err?.message ?? err) })}\n`),
      )
    })
  })
  await new Promise((ok, fail) => {
    listener.once('error', fail)
    listener.listen(socketPath, ok)
  })
  // Whatever ends this process, no moto_server outlives it.
  const killAll = () => {
    for (const s of servers) s.child?.kill('SIGKILL')
  }
  process.on('exit', killAll)
  return {
    env: { VAULT_TEST_MOTO_POOL: socketPath },
    async stop() {
      stopping = true
      listener.close()
      for (const socket of sockets) socket.destroy()
      for (const waiter of waiters.splice(0)) waiter.reject(new Error('the pool is stopping'))
      await Promise.all([...servers].map((s) => s.child && stopChild(s.child)))
      process.off('exit', killAll)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Claims a server of the pool at `socketPath` for this process alone, until release() (or this
 * process's end). The server has been reset: it looks as a freshly started one does.
 */
export function claimMoto(socketPath, timeoutMs = startDeadlineMs + 60_000) {
  return new Promise((resolveClaim, reject) => {
    const socket = connect(socketPath)
    const fail = (why) => {
      clearTimeout(timer)
      socket.destroy()
      reject(new Error(`e2e: the moto pool (VAULT_TEST_MOTO_POOL=${socketPath}) ${why}`))
    }
    const timer = setTimeout(() => fail(`handed out no server within ${timeoutMs / 1000} s`), timeoutMs)
    let answer = ''
    let done = false
    socket.setEncoding('utf8')
    socket.on('error', (err) => done || fail(`cannot be reached (${err.message}); run the suite through test/run.js`))
    socket.on('close', () => done || fail('closed before handing out a server'))
    socket.on('data', (d) => {
      answer += d
      if (done || !answer.includes('\n')) return
      done = true
      clearTimeout(timer)
      const { url, strictSts, error } = JSON.parse(answer.slice(0, answer.indexOf('\n')))
      if (error) {
        socket.destroy()
        return reject(new Error(`e2e: the moto pool could not hand out a server: ${error}`))
      }
      // The claim must not keep this process alive; when the process ends, the kernel closes it.
      socket.unref()
      const release = () =>
        new Promise((r) => {
          if (socket.destroyed) return r()
          socket.once('close', r)
          socket.ref()
          socket.end()
        })
      resolveClaim({ url, strictSts, release })
    })
    socket.write('claim\n')
  })
}
