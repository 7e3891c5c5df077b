// The load generator of bench/ecs-server.bench.ts. It runs as the command of `vault exec --ecs-server`,
// so it finds the server the way an SDK does: AWS_CONTAINER_CREDENTIALS_FULL_URI and the token.
// 1. Open loop at a fixed rate (requests are sent on schedule whether or not earlier ones have
//    returned, and latency is measured from the scheduled time, so a stall is not hidden).
// 2. Closed loop: N connections, each sending its next request when the last one returns.
import { Agent, request } from 'node:http'
import { performance } from 'node:perf_hooks'
import { percentile } from './stats.js'

const url = new URL(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI ?? '')
const headers = { Authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN ?? '' }
const rate = Number(process.env.BENCH_RATE ?? 500)
const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16)
const targetP99Ms = 5
const agent = new Agent({ keepAlive: true, maxSockets: 256 })
let errors = 0

function get(): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers, agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => {
        if (res.statusCode !== 200 || !body.includes('"AccessKeyId"')) errors++
        resolve()
      })
    })
    req.on('error', () => {
      errors++
      resolve()
    })
    req.end()
  })
}

function summary(latencies: number[]): string {
  const f = (ms: number) => `${ms.toFixed(2)} ms`
  const max = latencies.reduce((a, b) => Math.max(a, b), 0)
  return `p50 ${f(percentile(latencies, 50))}, p90 ${f(percentile(latencies, 90))}, p99 ${f(percentile(latencies, 99))}, max ${f(max)}`
}

/** Latencies from the scheduled time (what a caller waits), and from the actual send (service time). */
async function openLoop(perSecond: number, durationS: number): Promise<{ latencies: number[]; service: number[] }> {
  const total = perSecond * durationS
  const interval = 1000 / perSecond
  const latencies: number[] = []
  const service: number[] = []
  const pending: Promise<void>[] = []
  const start = performance.now()
  let sent = 0
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now()
      while (sent < total && start + sent * interval <= now) {
        const scheduled = start + sent * interval
        const t = performance.now()
        pending.push(
          get().then(() => {
            latencies.push(performance.now() - scheduled)
            service.push(performance.now() - t)
          }),
        )
        sent++
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()))
      else done()
    }
    tick()
  })
  await Promise.all(pending)
  return { latencies, service }
}

async function closedLoop(n: number, durationS: number): Promise<{ latencies: number[]; perSecond: number }> {
  const latencies: number[] = []
  const end = performance.now() + durationS * 1000
  const start = performance.now()
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (performance.now() < end) {
        const t = performance.now()
        await get()
        latencies.push(performance.now() - t)
      }
    }),
  )
  return { latencies, perSecond: latencies.length / ((performance.now() - start) / 1000) }
}

await closedLoop(4, 1) // warm-up: connections, JIT, and the server's cache
errors = 0
const fixed = await openLoop(rate, seconds)
const fixedP99 = percentile(
  [...fixed.latencies].sort((a, b) => a - b),
  99,
)
const fixedErrors = errors
errors = 0
const max = await closedLoop(connections, 5)
const verdict = fixedP99 < targetP99Ms && fixedErrors === 0 ? 'OK' : 'OVER TARGET'
console.log(`  fixed rate ${rate} req/s for ${seconds} s: ${fixed.latencies.length} requests, ${fixedErrors} errors`)
console.log(`    latency from the scheduled time: ${summary(fixed.latencies)}`)
console.log(`    from the actual send:            ${summary(fixed.service)}`)
console.log(`  target p99 < ${targetP99Ms} ms at ${rate} req/s: ${verdict}`)
console.log(
  `  closed loop, ${connections} connections, 5 s: ${Math.round(max.perSecond)} req/s, ${errors} errors; ${summary(max.latencies)}`,
)
agent.destroy()
process.exitCode = verdict === 'OK' && errors === 0 ? 0 : 1
