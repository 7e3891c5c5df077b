// Start-up cost of cache hits against bare `node -e 0`, in the same run (issue 9). Targets:
//   export --format json ROLE ≤ 1.4x, exec ROLE -- true ≤ 1.6x,
//   list with 1,000 profiles and 1,000 cached sessions ≤ 3x, peak RSS of the cache-hit export ≤ 80 MB;
//   an SSO (IAM Identity Center) profile's cache hit ≤ 1.4x, like any other export (issue 16).
// Median of 40 interleaved rounds (BENCH_RUNS), after warm-up, each process timed from spawn to exit.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { makeHome, run, startServices, testKeys, vault, vaultBin } from '../test/e2e/harness.js'
import { SsoStandIn } from '../test/sso/stand-in.js'
import { median } from './stats.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 40)
const services = await startServices()
// The SSO profile signs in once through the stand-in (approved at once); then every run is a hit.
const standIn = new SsoStandIn()
standIn.autoApprove = true
await standIn.start()
try {
  const home = await makeHome(services)
  const profiles = [
    '[default]',
    'region = us-east-1',
    '',
    '[profile src]',
    '',
    '[profile role]',
    'source_profile = src',
    'role_arn = arn:aws:iam::222222222222:role/Dev',
    '',
  ]
  for (let i = 0; i < 1000; i++)
    profiles.push(
      `[profile p${i}]`,
      'source_profile = src',
      `role_arn = arn:aws:iam::${String(100000000000 + i)}:role/R`,
      '',
    )
  await home.writeConfig(profiles.join('\n'))
  await vault(['add', 'src', '--env'], { env: { ...home.env, ...testKeys } })
  const warm = await vault(['export', '--format', 'json', 'role'], { env: home.env })
  if (warm.code !== 0) throw new Error(warm.stderr)

  // A second user with a typical config (3 profiles) on the same keyring: export and exec are
  // also measured there, where the config is not 1,003 profiles long.
  const small = await makeHome(services, { AWS_ENDPOINT_URL_SSO_OIDC: standIn.url, AWS_ENDPOINT_URL_SSO: standIn.url })
  const sso = [
    '[profile sso]',
    'sso_session = corp',
    'sso_account_id = 111111111111',
    'sso_role_name = Admin',
    '',
    '[sso-session corp]',
    'sso_start_url = https://bench.awsapps.com/start',
    'sso_region = us-east-1',
    '',
  ]
  await small.writeConfig([...profiles.slice(0, 9), ...sso].join('\n'))
  await vault(['add', 'src', '--env'], { env: { ...small.env, ...testKeys } })
  const warmSmall = await vault(['export', '--format', 'json', 'role'], { env: small.env })
  if (warmSmall.code !== 0) throw new Error(warmSmall.stderr)
  const warmSso = await vault(['export', '--format', 'json', '--no-browser', 'sso'], { env: small.env })
  if (warmSso.code !== 0) throw new Error(warmSso.stderr)

  // 1,000 cached role sessions, written through vault's own session store.
  const seed = `
    const { createStore } = await import('${join(process.cwd(), 'dist/stores/backend.js')}')
    const { SessionStore } = await import('${join(process.cwd(), 'dist/sessions/session-store.js')}')
    const store = createStore(undefined, { env: process.env, homedir: process.env.HOME, platform: process.platform, logger: { enabled: false, debug() {} }, passphrase: async () => '' })
    const sessions = new SessionStore(store)
    const now = new Date()
    for (let i = 0; i < 999; i++) {
      const exp = new Date(now.getTime() + 3600e3 + i * 1000)
      await sessions.set({ type: 'sts.AssumeRole', profile: 'p' + i, mfaSerial: '' }, { accessKeyId: 'ASIA' + String(i).padStart(16, '0'), secretAccessKey: 'x'.repeat(40), sessionToken: 't'.repeat(300), expiration: exp }, now)
    }`
  const seeded = await run(['--input-type=module', '-e', seed], {
    env: home.env,
    cmd: process.execPath,
    timeoutMs: 300_000,
  })
  if (seeded.code !== 0) throw new Error(seeded.stderr)
  const listed = await vault(['list', '--sessions'], { env: home.env })
  const sessionCount = listed.stdout.trim().split('\n').length

  const node = process.execPath
  const commands: Array<[string, string, number]> = [
    ['node -e 0 (the baseline)', `${node} -e 0`, Number.NaN],
    ['vault export --format json role', `${node} ${vaultBin} export --format json role`, 1.4],
    ['vault exec role -- true', `${node} ${vaultBin} exec role -- true`, 1.6],
    [`vault list (1,003 profiles, ${sessionCount} sessions)`, `${node} ${vaultBin} list`, 3],
  ]
  // Node's own start-up depends on the environment: on these machines NODE_EXTRA_CA_CERTS is set,
  // and loading that CA bundle is ~40 ms of every node process (vault's and the baseline's alike).
  // The figures use the machine's environment, as a user's shell has it.
  const benchEnv: Record<string, string> = { ...home.env }
  for (const k of ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS']) if (process.env[k]) benchEnv[k] = process.env[k] as string
  console.log(
    `node start-up settings passed through: ${['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'].filter((k) => benchEnv[k]).join(', ') || 'none'}`,
  )
  // Interleaved rounds: each round runs every command once, in turn, so a slow patch of the
  // machine weighs on the baseline and on vault alike (hyperfine runs one command after another,
  // and the baseline drifts by several ms between blocks). No shell in between.
  const argvs: string[][] = [
    ['-e', '0'],
    [vaultBin, 'export', '--format', 'json', 'role'],
    [vaultBin, 'exec', 'role', '--', 'true'],
    [vaultBin, 'list'],
  ]
  const fullEnv = { ...benchEnv, VAULT_FAST_PATH: '0' }
  const smallEnv: Record<string, string> = { ...small.env }
  for (const k of ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS']) if (benchEnv[k]) smallEnv[k] = benchEnv[k]
  const once = (argv: string[], env: Record<string, string>) => {
    const t = performance.now()
    const r = spawnSync(node, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`)
    return performance.now() - t
  }
  for (let i = 0; i < 5; i++) for (const argv of argvs) once(argv, benchEnv)
  const times: number[][] = argvs.map(() => [])
  const typical: number[][] = [[], [], [], []]
  const ssoArgv = [vaultBin, 'export', '--format', 'json', 'sso']
  const statusArgv = [vaultBin, 'status', 'role']
  const full: number[] = []
  for (let round = 0; round < RUNS; round++) {
    for (const [i, argv] of argvs.entries()) times[i].push(once(argv, benchEnv))
    typical[0].push(once(argvs[1], smallEnv))
    typical[1].push(once(argvs[2], smallEnv))
    typical[2].push(once(ssoArgv, smallEnv))
    typical[3].push(once(statusArgv, smallEnv))
    if (round % 4 === 0) full.push(once(argvs[1], fullEnv))
  }
  commands.push(
    ['vault export, typical 3-profile config', '', 1.4],
    ['vault exec -- true, typical 3-profile config', '', 1.6],
    ['vault export of an SSO profile, cache hit', '', 1.4],
    ['vault status ROLE (fast path, no STS), typical config', '', 1.6],
    ['vault export through the full CLI (VAULT_FAST_PATH=0)', '', Number.NaN],
  )
  const medians = [...times.map(median), ...typical.map(median), median(full)]
  const base = medians[0]
  console.log(
    `median of ${RUNS} interleaved rounds (warm cache; ${full.length} for the full CLI); 1,003 profiles unless said`,
  )
  for (const [i, [name, , target]] of commands.entries()) {
    const ms = medians[i]
    const ratio = ms / base
    const verdict = Number.isNaN(target)
      ? ''
      : ratio <= target
        ? `  (target ≤ ${target}x: met)`
        : `  (target ≤ ${target}x: MISSED)`
    console.log(`${name.padEnd(52)} ${ms.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}x${verdict}`)
  }
  const rss = spawnSync('/usr/bin/time', ['-f', '%M', node, vaultBin, 'export', '--format', 'json', 'role'], {
    env: home.env,
    encoding: 'utf8',
  })
  const kb = Number(rss.stderr.trim().split('\n').pop())
  console.log(`peak RSS of the cache-hit export: ${(kb / 1024).toFixed(1)} MB (target ≤ 80 MB)`)
  await home.cleanup()
} finally {
  await standIn.stop()
  await services.stop()
}
