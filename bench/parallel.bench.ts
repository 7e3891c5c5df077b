// Warm cache: wall time of 32 concurrent `vault export --format json ROLE` relative to one call.
// Target on 2 cores: under 12x. Run: npm run bench (or node --import tsx bench/parallel.bench.ts)
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { makeHome, run, startServices, testKeys, vault } from '../test/e2e/harness.js'
import { fmt, median } from './stats.js'

const CONCURRENCY = 32
const services = await startServices()
try {
  const home = await makeHome(services)
  await writeFile(join(home.dir, 'mfa.sh'), '#!/bin/sh\necho 123456\n', { mode: 0o700 })
  const serial = 'arn:aws:iam::111111111111:mfa/me'
  await home.writeConfig(
    `[default]\nregion = us-east-1\n[profile src]\nmfa_serial = ${serial}\n[profile role]\nsource_profile = src\nrole_arn = arn:aws:iam::222222222222:role/Dev\nmfa_serial = ${serial}\nmfa_process = ${join(home.dir, 'mfa.sh')}\n`,
  )
  await vault(['add', 'src', '--env'], { env: { ...home.env, ...testKeys } })
  const call = () => vault(['export', '--format', 'json', 'role'], { env: home.env, timeoutMs: 120_000 })
  const warm = await call()
  if (warm.code !== 0) throw new Error(warm.stderr)

  const single: number[] = []
  for (let i = 0; i < 7; i++) {
    const t = performance.now()
    await call()
    single.push(performance.now() - t)
  }
  const burst: number[] = []
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    const results = await Promise.all(Array.from({ length: CONCURRENCY }, call))
    burst.push(performance.now() - t)
    if (results.some((r) => r.code !== 0)) throw new Error('a concurrent call failed')
  }
  // The floor on this machine: the same measurement for bare `node -e 0`.
  const bare = () => run(['-e', '0'], { env: home.env, cmd: process.execPath })
  const bareSingle: number[] = []
  for (let i = 0; i < 7; i++) {
    const t = performance.now()
    await bare()
    bareSingle.push(performance.now() - t)
  }
  const bareBurst: number[] = []
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    await Promise.all(Array.from({ length: CONCURRENCY }, bare))
    bareBurst.push(performance.now() - t)
  }
  const one = median(single)
  const many = median(burst)
  console.log(`one warm call (median of 7):            ${fmt(one)}`)
  console.log(`${CONCURRENCY} concurrent warm calls (median of 3): ${fmt(many)}`)
  console.log(`ratio: ${(many / one).toFixed(1)}x (target < 12x on 2 cores)`)
  const floor = median(bareBurst) / median(bareSingle)
  console.log(
    `the same ratio for bare node -e 0: ${floor.toFixed(1)}x (${fmt(median(bareSingle))} one, ${fmt(median(bareBurst))} for ${CONCURRENCY})`,
  )
  await home.cleanup()
} finally {
  await services.stop()
}
