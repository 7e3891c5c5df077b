// Runs many invocations of the full CLI (its bundle, as bin/run.js loads it, with no fast path)
// one after another in this one process, and prints what each wrote and its exit code as
// JSON. commands.test.ts gives it rows that read one config and change nothing: a process each
// cost ~0.5 CPU-s, most of it loading oclif again (issue 27).
//
// stdin: { root, cases: [{ argv, env }] }. Each case gets exactly its `env` as process.env (the
// same object, emptied and refilled, so that a module holding it sees the change), its own
// stdout and stderr (every write to either, console's included), and the exit code a process of
// its own would have had: process.exit's argument, else process.exitCode, else 0.
import { createRequire } from 'node:module'
import { text } from 'node:stream/consumers'

const { root, cases } = JSON.parse(await text(process.stdin))
const { loadBundle } = createRequire(import.meta.url)(`${root}/bin/load-bundle.cjs`)
const { prepareArgv } = loadBundle('fast')
const { main } = loadBundle('cli')

const real = { exit: process.exit, stdout: process.stdout.write, stderr: process.stderr.write }
const results = []
for (const { argv, env } of cases) {
  const out = { stdout: '', stderr: '' }
  const capture = (name) =>
    function write(chunk, encoding, callback) {
      out[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
      const done = typeof encoding === 'function' ? encoding : callback
      if (done) process.nextTick(done)
      return true
    }
  let exited
  const exit = new Promise((resolve) => {
    process.exit = (code) => {
      exited = code ?? process.exitCode ?? 0
      resolve()
    }
  })
  for (const key of Object.keys(process.env)) delete process.env[key]
  Object.assign(process.env, env)
  process.exitCode = undefined
  process.stdout.write = capture('stdout')
  process.stderr.write = capture('stderr')
  try {
    await main(prepareArgv(argv), root, false)
    // A failure is reported, then the exit follows the written report (src/cli/main.ts): with no
    // keychain call pending, within the ticks below.
    for (let i = 0; i < 5 && exited === undefined; i++) await Promise.race([exit, new Promise(setImmediate)])
  } finally {
    process.stdout.write = real.stdout
    process.stderr.write = real.stderr
    process.exit = real.exit
  }
  results.push({ ...out, code: exited ?? process.exitCode ?? 0 })
  process.exitCode = undefined
}
process.stdout.write(JSON.stringify(results), () => process.exit(0))
