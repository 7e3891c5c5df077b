// The hand-out log's cost on a cache hit (issue 26): the same hits with the log on and with
// AWS_VAULT_LOG=off, against `node -e 0`, in interleaved rounds (median; BENCH_RUNS rounds). The
// hit targets hold with the log on: export ≤ 1.4x, exec ≤ 1.6x. And the writer alone: the cost of
// one record() (build, one O_APPEND write) in a warm process, which must stay ≤ 1 ms.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { handOutLog } from '../src/audit/log-file.js'
import { makeHome, startServices, testKeys, vault, vaultBin } from '../test/e2e/harness.js'
import { median } from './stats.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 40)
const services = await startServices()
try {
  const home = await makeHome(services)
  await home.writeConfig(
    '[default]\nregion = us-east-1\n\n[profile src]\n\n[profile role]\nsource_profile = src\nrole_arn = arn:aws:iam::222222222222:role/Dev\n',
  )
  await vault(['add', 'src', '--env'], { env: { ...home.env, ...testKeys } })
  const warm = await vault(['export', '--format', 'json', 'role'], { env: home.env })
  if (warm.code !== 0) throw new Error(warm.stderr)

  const on: Record<string, string> = { ...home.env }
  for (const k of ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS']) if (process.env[k]) on[k] = process.env[k] as string
  const off = { ...on, AWS_VAULT_LOG: 'off' }
  const node = process.execPath
  const once = (argv: string[], env: Record<string, string>) => {
    const t = performance.now()
    const r = spawnSync(node, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`)
    return performance.now() - t
  }
  const exportArgv = [vaultBin, 'export', '--format', 'json', 'role']
  const execArgv = [vaultBin, 'exec', 'role', '--', 'true']
  const rows: Array<[string, string[], Record<string, string>, number]> = [
    ['node -e 0 (the baseline)', ['-e', '0'], on, Number.NaN],
    ['export --format json, log on', exportArgv, on, 1.4],
    ['export --format json, log off', exportArgv, off, 1.4],
    ['exec -- true, log on', execArgv, on, 1.6],
    ['exec -- true, log off', execArgv, off, 1.6],
  ]
  for (let i = 0; i < 3; i++) for (const [, argv, env] of rows) once(argv, env)
  const times: number[][] = rows.map(() => [])
  for (let round = 0; round < RUNS; round++)
    for (const [i, [, argv, env]] of rows.entries()) times[i]?.push(once(argv, env))
  const medians = times.map(median)
  const base = medians[0] as number
  console.log(`median of ${RUNS} interleaved rounds, cache hits on the fast path`)
  for (const [i, [name, , , target]] of rows.entries()) {
    const ms = medians[i] as number
    const ratio = ms / base
    const verdict = Number.isNaN(target) ? '' : ratio <= target ? `ok (≤ ${target}x)` : `OVER ${target}x`
    console.log(`${name.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}x  ${verdict}`)
  }
  console.log(
    `log on − log off: export ${((medians[1] as number) - (medians[2] as number)).toFixed(1)} ms, exec ${((medians[3] as number) - (medians[4] as number)).toFixed(1)} ms (noise included)`,
  )

  // The writer alone, warm: what a hit pays for its record beyond process start-up.
  const dir = mkdtempSync(join(tmpdir(), 'vault-bench-log-'))
  try {
    const log = handOutLog({
      settings: () => ({ settings: { path: join(dir, 'h.jsonl'), maxBytes: 1 << 30, keep: 1 } }),
      now: () => new Date(),
      version: () => '0.0.0',
      warn: (m) => console.error(m),
    })
    const handOut = JSON.parse(warm.stdout)
    const h = {
      kind: 'credential_process' as const,
      profile: { name: 'role', roleArn: 'arn:aws:iam::222222222222:role/Dev' } as never,
      credentials: { accessKeyId: handOut.AccessKeyId, secretAccessKey: 'x', expiration: new Date(handOut.Expiration) },
      steps: [{ kind: 'cache' as const, type: 'sts.AssumeRole' as const, profile: 'role' }],
      servedBy: 'direct' as const,
      requester: { pid: process.pid, exe: process.execPath, cmdline: process.argv },
    }
    const first = performance.now()
    await log.record(h)
    const firstMs = performance.now() - first
    const n = 2000
    const t = performance.now()
    for (let i = 0; i < n; i++) await log.record(h)
    console.log(
      `record(): first (mkdir, open) ${firstMs.toFixed(3)} ms; then ${(((performance.now() - t) / n) * 1000).toFixed(1)} µs each (${n} records)`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
} finally {
  await services.stop()
}
