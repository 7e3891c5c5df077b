/** Starting, finding and ending a test's own agent (issue 24), on a socket inside the test's HOME. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { callAgent } from '../../src/agent/control.js'
import type { Home } from './harness.js'
import { isAlive, vault } from './harness.js'

/** The home's env with its own agent socket (the suite's XDG_RUNTIME_DIR is shared by its tests). */
export function agentEnv(home: Home, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...home.env,
    AWS_VAULT_AGENT_SOCK: join(home.dir, 'agent', 'agent.sock'),
    VAULT_PATH_LOG: join(home.dir, 'path.log'),
    ...extra,
  }
}

/** The same env with the agent turned off: the direct path. */
export const directEnv = (env: Record<string, string>) => ({ ...env, AWS_VAULT_AGENT_SOCK: '' })

/**
 * Starts the agent through `vault agent start`, and returns the pid the agent itself gives on its
 * socket: asking there costs no vault start-up (issue 27), which `vault agent status` would.
 */
export async function startAgent(env: Record<string, string>, args: string[] = []): Promise<number> {
  const started = await vault(['agent', 'start', ...args], { env, timeoutMs: 60_000 })
  if (started.code !== 0) throw new Error(`e2e: vault agent start failed: ${started.stderr}`)
  const answer = await callAgent(env.AWS_VAULT_AGENT_SOCK, { op: 'status' })
  const pid = (answer?.ok as { pid?: unknown } | undefined)?.pid
  if (typeof pid !== 'number') throw new Error(`e2e: no agent answers after start: ${JSON.stringify(answer)}`)
  return pid
}

/** The pid `vault agent status --json` reports. */
export async function agentPid(env: Record<string, string>): Promise<number> {
  const status = await vault(['agent', 'status', '--json'], { env, timeoutMs: 30_000 })
  const pid = JSON.parse(status.stdout).pid
  if (typeof pid !== 'number') throw new Error(`e2e: no agent answers: ${status.stdout}${status.stderr}`)
  return pid
}

/**
 * Stops the agent, and kills it if it does not go: nothing outlives a test. The stop request goes
 * straight to the socket (what `vault agent stop` sends), without a vault start-up (issue 27).
 */
export async function stopAgent(env: Record<string, string>, pid: number | undefined): Promise<void> {
  await callAgent(env.AWS_VAULT_AGENT_SOCK, { op: 'stop' })
  if (pid === undefined) return
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline && isAlive(pid)) await new Promise((r) => setTimeout(r, 50))
  if (isAlive(pid)) process.kill(pid, 'SIGKILL')
}

/** The paths that served each run so far (fast, full, agent), from VAULT_PATH_LOG. */
export async function paths(env: Record<string, string>): Promise<string[]> {
  return (await readFile(env.VAULT_PATH_LOG, 'utf8').catch(() => '')).split('\n').filter(Boolean)
}
