// Load + resolve a profile in a generated 2,000-profile ~/.aws/config; target under 20 ms.
// Run: node --import tsx bench/config-resolve.bench.ts
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ConfigFile } from '../src/config/config-file.js'
import { resolveProfile } from '../src/config/resolve.js'

const PROFILES = 2000
const RUNS = 25
const TARGET_MS = 20

/** A realistic mix: key holders, role chains, include_profile, SSO, comments and nested values. */
function generate(): string {
  const out = ['# generated for bench/config-resolve.bench.ts', '[default]', 'region = us-east-1', 'output = json', '']
  out.push('[sso-session corp]', 'sso_start_url = https://corp.awsapps.com/start#/', 'sso_region = eu-west-1', '')
  for (let i = 0; i < PROFILES; i++) {
    out.push(`[profile p${i}]`)
    switch (i % 4) {
      case 0:
        out.push('mfa_serial = arn:aws:iam::111111111111:mfa/me', 'region = eu-west-1 # EU')
        break
      case 1:
        out.push(`source_profile = p${i - 1}`, `role_arn = arn:aws:iam::2222:role/r${i}`, 'duration_seconds = 3600')
        break
      case 2:
        out.push(`include_profile = p${i - 1}`, 'role_session_name = me', 's3 =', '  addressing_style = path')
        break
      default:
        out.push('sso_session = corp', `sso_account_id = ${100000000000 + i}`, 'sso_role_name = Admin')
    }
    out.push('session_tags = team=core, env=prod', '')
  }
  return out.join('\n')
}

const dir = await mkdtemp(join(tmpdir(), 'vault-bench-'))
try {
  const path = join(dir, 'config')
  const text = generate()
  await writeFile(path, text)
  const target = `p${PROFILES - 2}` // include_profile → source_profile → MFA holder: the longest path

  const times: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now()
    const config = await ConfigFile.load(path)
    resolveProfile(config, target, { env: { AWS_REGION: 'eu-west-2' } })
    times.push(performance.now() - start)
  }
  const first = times[0] as number
  const sorted = [...times].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)] as number
  const verdict = median < TARGET_MS ? 'OK' : 'OVER TARGET'
  console.log(
    `config load + resolve, ${PROFILES} profiles (${(text.length / 1024).toFixed(0)} KiB): ` +
      `median ${median.toFixed(2)} ms over ${RUNS} runs (first ${first.toFixed(2)} ms, min ${sorted[0]?.toFixed(2)} ms); ` +
      `target < ${TARGET_MS} ms: ${verdict}`,
  )
  if (median >= TARGET_MS) process.exitCode = 1
} finally {
  await rm(dir, { recursive: true, force: true })
}
