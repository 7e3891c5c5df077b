// A cache hit served by the agent (issue 24) against bare `node -e 0`, in the same run. Target:
//   vault export --format json ROLE through the agent ≤ 1.2x; the direct fast path keeps its 1.4x.
// Median of 40 interleaved rounds (BENCH_RUNS), after warm-up, each process timed from spawn to exit.
// Run: npm run build && BENCH_ONLY=agent node bench/run.js
import { spawnSync } from 'node:child_process'
import { agentEnv, paths, startAgent, stopAgent } from '../test/e2e/agent-helpers.js'
import { makeHome, startServices, testKeys, vault, vaultBin } from '../test/e2e/harness.js'
import { median } from './stats.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 40)
const services = await startServices()
let env: Record<string, string> | undefined
let pid: number | undefined
try {
  const home = await makeHome(services)
  await home.writeConfig(
    '[default]\nregion = us-east-1\n\n[profile src]\n\n[profile role]\nsource_profile = src\nrole_arn = arn:aws:iam::222222222222:role/Dev\n',
  )
  await vault(['add', 'src', '--env'], { env: { ...home.env, ...testKeys } })
  // As in startup.bench.ts: node's start-up settings pass through, for the baseline and vault alike.
  env = agentEnv(home)
  for (const k of ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS']) if (process.env[k]) env[k] = process.env[k] as string
  pid = await startAgent(env)
  const warm = await vault(['export', '--format', 'json', 'role'], { env })
  if (warm.code !== 0) throw new Error(warm.stderr)
  const direct = { ...env, AWS_VAULT_AGENT_SOCK: '' }
  const node = process.execPath
  const once = (argv: string[], runEnv: Record<string, string>) => {
    const t = performance.now()
    const r = spawnSync(node, argv, { env: runEnv, stdio: ['ignore', 'ignore', 'pipe'] })
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`)
    return performance.now() - t
  }
  const exportArgv = [vaultBin, 'export', '--format', 'json', 'role']
  const rounds: Array<[string, string[], Record<string, string>, number]> = [
    ['node -e 0 (the baseline)', ['-e', '0'], env, Number.NaN],
    ['vault export, cache hit served by the agent', exportArgv, env, 1.2],
    ['vault export, cache hit on the direct fast path', exportArgv, direct, 1.4],
  ]
  for (let i = 0; i < 5; i++) for (const [, argv, e] of rounds) once(argv, e)
  const before = (await paths(env)).length
  const times: number[][] = rounds.map(() => [])
  for (let round = 0; round < RUNS; round++)
    for (const [i, [, argv, e]] of rounds.entries()) times[i].push(once(argv, e))
  const served = (await paths(env)).slice(before)
  const agentRuns = served.filter((p) => p === 'agent').length
  if (agentRuns !== RUNS) throw new Error(`the agent served ${agentRuns} of ${RUNS} exports: ${served.join(' ')}`)
  const medians = times.map(median)
  console.log(`median of ${RUNS} interleaved rounds (warm cache)`)
  for (const [i, [name, , , target]] of rounds.entries()) {
    const ratio = medians[i] / medians[0]
    const verdict = Number.isNaN(target) ? '' : `  (target ≤ ${target}x: ${ratio <= target ? 'met' : 'MISSED'})`
    console.log(`${name.padEnd(50)} ${medians[i].toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}x${verdict}`)
  }
  await home.cleanup()
} finally {
  if (env) await stopAgent(env, pid)
  await services.stop()
}
