#!/usr/bin/env node
// The suite under CPU load (issue 15): busy-loop workers keep every core busy while the whole
// suite (test/run.js) runs STRESS_RUNS times in a row (default 5). It stops at the first failing
// run and exits non-zero. Arguments and TEST_ONLY pass through to test/run.js.
//
//   npm run test:stress                 # build, then 5 runs with one busy loop per core
//   STRESS_RUNS=1 STRESS_LOAD=4 node test/stress.js
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'

const runs = Number(process.env.STRESS_RUNS ?? 5)
const load = Number(process.env.STRESS_LOAD ?? availableParallelism())
const runner = new URL('run.js', import.meta.url).pathname

const workers = Array.from({ length: load }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }))
const stopLoad = () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL')
}
process.on('exit', stopLoad)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopLoad()
    process.exit(130)
  })
}

/** One run of the suite; resolves with its exit code, counts and duration. */
function runSuite() {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, [runner, ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let tail = ''
    child.stdout.on('data', (d) => {
      process.stdout.write(d)
      tail = (tail + d).slice(-4000)
    })
    child.on('close', (code) => {
      const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tail)?.[1] ?? Number.NaN)
      resolve({ code, pass: count('pass'), fail: count('fail'), seconds: (Date.now() - started) / 1000 })
    })
  })
}

const results = []
for (let i = 1; i <= runs; i++) {
  const r = await runSuite()
  results.push(r)
  console.error(
    `stress: run ${i}/${runs} under ${load} busy loop(s): ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`}, ${r.pass} passed, ${r.fail} failed, ${r.seconds.toFixed(0)} s`,
  )
  if (r.code !== 0) break
}
stopLoad()
const passed = results.filter((r) => r.code === 0).length
const times = results.map((r) => r.seconds.toFixed(0)).join(', ')
console.error(`stress: ${passed} of ${runs} runs passed in a row under ${load} busy loop(s); run times (s): ${times}`)
process.exit(passed === runs ? 0 : 1)
