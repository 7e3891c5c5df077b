// Requests per second and p99 latency of `vault exec --ecs-server` with a warm cache; target
// p99 < 5 ms at 500 req/s. It runs the built CLI (bin/run.js runs dist/: build first) with the
// file backend and a credential_process profile, so it needs no keychain and no network, and
// bench/ecs-server-load.ts as the command, which finds the server as an SDK would.
// Run: node --import tsx bench/ecs-server.bench.ts, or npm run bench (BENCH_RATE, BENCH_SECONDS, BENCH_CONNECTIONS)
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const dir = await mkdtemp(join(tmpdir(), 'vault-bench-ecs-'))
try {
  // Credentials that expire in a day: after the first request every answer is a cache hit.
  const expiration = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const creds = JSON.stringify({
    Version: 1,
    AccessKeyId: 'ASIABENCHEXAMPLE0001',
    SecretAccessKey: 'bench-secret',
    SessionToken: 'bench-token',
    Expiration: expiration,
  })
  await writeFile(join(dir, 'creds.json'), creds)
  await writeFile(
    join(dir, 'config'),
    `[profile bench]\nregion = us-east-1\ncredential_process = cat ${join(dir, 'creds.json')}\n`,
  )
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_VAULT_BACKEND: 'file',
    AWS_VAULT_FILE_DIR: join(dir, 'keys'),
    AWS_VAULT_FILE_PASSPHRASE: 'bench',
  }
  for (const k of ['AWS_VAULT', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
    delete env[k]
  console.log(
    `vault exec --ecs-server, warm cache (node ${process.version}, ${cpus().length} CPUs, ${cpus()[0]?.model ?? ''}):`,
  )
  const load = [process.execPath, '--import', 'tsx', join(root, 'bench', 'ecs-server-load.ts')]
  const child = spawn(process.execPath, [join(root, 'bin', 'run.js'), 'exec', '--ecs-server', 'bench', '--', ...load], {
    env,
    cwd: root,
    stdio: 'inherit',
  })
  const code = await new Promise<number>((done) => child.on('exit', (c) => done(c ?? 1)))
  process.exitCode = code
} finally {
  await rm(dir, { recursive: true, force: true })
}
