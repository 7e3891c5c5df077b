import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { tsNode } from '../loader/run-ts.mjs'
import type { RoleInfo } from './rules.js'
import type { StsCall } from './server.js'

export type { StsCall }

/** The test side of a running strict STS: what it saw, and the knobs a test may turn. */
export class StrictSts {
  constructor(readonly url: string) {}

  /** Every STS request seen since the last reset, in order, refused ones included. */
  async calls(): Promise<StsCall[]> {
    return (await fetch(`${this.url}/strict-sts/calls`)).json() as Promise<StsCall[]>
  }

  async reset(): Promise<void> {
    await this.post('reset', {})
  }

  /** Declares a role's MaxSessionDuration or MFA-requiring trust policy (roles need not exist in moto). */
  async role(arn: string, info: Partial<RoleInfo>): Promise<void> {
    await this.post('role', { arn, info })
  }

  /**
   * Credentials issued by `action` expire `seconds` after issue, whatever DurationSeconds asked
   * for (which must still be valid): how a test watches credentials expire without waiting 15 min.
   */
  async lifetime(seconds: Partial<Record<string, number>>): Promise<void> {
    await this.post('lifetime', seconds)
  }

  /**
   * Role credentials another AWS service issued (IAM Identity Center's GetRoleCredentials): STS
   * accepts them as role credentials until they expire, as AWS does.
   */
  async trust(credentials: { accessKeyId: string; sessionToken: string; expiration: number }): Promise<void> {
    await this.post('trust', credentials)
  }

  private async post(path: string, body: unknown) {
    const res = await fetch(`${this.url}/strict-sts/${path}`, { method: 'POST', body: JSON.stringify(body) })
    if (!res.ok) throw new Error(`strict-sts ${path}: ${res.status} ${await res.text()}`)
  }
}

/**
 * Starts the strict STS in front of `motoUrl` as a child process: from `bundle` (main.ts bundled
 * by test/e2e/moto-pool.mjs, ~0.2 CPU-s to start) when given, else from main.ts through the tests'
 * TypeScript loader (~0.26 CPU-s; through tsx it was ~0.56). A child, not a server in the test's
 * own process: tests block their event loop in spawnSync while a shell or a client they run calls STS.
 */
export async function startStrictSts(
  motoUrl: string,
  bundle?: string,
): Promise<{ sts: StrictSts; stop: () => Promise<void> }> {
  const root = resolve(import.meta.dirname, '..', '..')
  const script = bundle ? [bundle] : [...tsNode, 'test/strict-sts/main.ts']
  const child: ChildProcess = spawn(process.execPath, [...script, motoUrl], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
  }
  const port = await new Promise<number>((ok, fail) => {
    let out = ''
    // As moto's: generous, for a busy machine (issue 27).
    const timer = setTimeout(() => fail(new Error('e2e: strict STS did not start within 120 s')), 120_000)
    child.stdout?.on('data', (d) => {
      out += d
      const m = /listening on (\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        ok(Number(m[1]))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`e2e: strict STS exited with ${code}`))
    })
  }).catch(async (err) => {
    await stop()
    throw err
  })
  return { sts: new StrictSts(`http://127.0.0.1:${port}`), stop }
}
