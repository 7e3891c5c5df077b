/**
 * A real password store for tests: a throwaway GPG key with no passphrase in a temp GNUPGHOME, and
 * `pass init` in a temp PASSWORD_STORE_DIR. Missing tools fail with an install hint (CI skips nothing).
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireCommand } from '../e2e/harness.js'

export interface PassFixture {
  dir: string
  gnupgHome: string
  /** PATH, GNUPGHOME and PASSWORD_STORE_DIR for a pass/gpg process. */
  env: Record<string, string>
  /** Runs pass in this store; `input` goes on stdin. */
  pass(args: string[], input?: string): { status: number | null; stdout: string; stderr: string }
  cleanup(): Promise<void>
}

export async function makePassStore(): Promise<PassFixture> {
  for (const cmd of ['pass', 'gpg']) {
    try {
      requireCommand(cmd)
    } catch {
      throw new Error(`test: ${cmd} is not installed; install it with: apt-get update && apt-get install -y pass gnupg`)
    }
  }
  // Short paths: gpg-agent's socket path must fit in sun_path.
  const root = await mkdtemp(join(tmpdir(), 'vp-'))
  const gnupgHome = join(root, 'g')
  const dir = join(root, 'store')
  const env = { PATH: process.env.PATH ?? '', GNUPGHOME: gnupgHome, PASSWORD_STORE_DIR: dir, HOME: root }
  const sh = (cmd: string, args: string[], input?: string) => {
    const res = spawnSync(cmd, args, { env, input: input ?? '', encoding: 'utf8', timeout: 30_000 })
    return { status: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? res.error?.message ?? '' }
  }
  const mk = sh('mkdir', ['-m', '700', gnupgHome])
  if (mk.status !== 0) throw new Error(`test: mkdir ${gnupgHome}: ${mk.stderr}`)
  const gen = sh('gpg', [
    '--batch',
    '--passphrase',
    '',
    '--quick-gen-key',
    'vault test <vault-test@example.com>',
    'future-default',
    'default',
    'never',
  ])
  if (gen.status !== 0) throw new Error(`test: gpg key generation failed: ${gen.stderr}`)
  const init = sh('pass', ['init', 'vault-test@example.com'])
  if (init.status !== 0) throw new Error(`test: pass init failed: ${init.stderr}`)
  return {
    dir,
    gnupgHome,
    env,
    pass: (args, input) => sh('pass', args, input),
    cleanup: async () => {
      sh('gpgconf', ['--kill', 'gpg-agent'])
      await rm(root, { recursive: true, force: true })
    },
  }
}
