/**
 * The agent's client on the fast path, bundled alone into dist/fast-bundle/agent-client.cjs and
 * tried by bin/run.js before anything else loads: it sends the raw command line and environment
 * to the agent and writes the bytes the agent answers (src/compose/agent-argv.ts). A cache hit
 * through the agent then costs a Node start-up and one round trip. No agent, a refused or silent
 * socket, a killed agent: resolves undefined and vault goes on as if none ran.
 */
import { appendFileSync, fstatSync, writeSync } from 'node:fs'
import { homedir } from 'node:os'
import { converse, usableSocket } from './conversation.js'
import { clientEnv } from './port.js'
import { agentSocketPath } from './socket-path.js'
import { SILENCE_MS } from './wire.js'

/** The exit code when the agent served the command; 'full' to skip the fast path; undefined otherwise. */
export function tryAgent(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | 'full' | undefined> {
  const socket = agentSocketPath(env, env.HOME ?? homedir())
  if (!socket || !usableSocket(socket, process.getuid?.())) return Promise.resolve(undefined)
  const request = { op: 'argv', argv, env: clientEnv(env), stdoutIsTerminal: stdoutIsTerminal() }
  return converse<number | 'full' | undefined>(
    socket,
    request,
    (m, turn) => {
      if (m.wait) return turn.arm(SILENCE_MS)
      const served = m.served as { stdout?: unknown; stderr?: unknown; code?: unknown } | undefined
      if (served && typeof served.stdout === 'string' && typeof served.stderr === 'string') {
        if (served.stdout) writeSync(1, served.stdout)
        if (served.stderr) writeSync(2, served.stderr)
        if (env.VAULT_PATH_LOG) appendFileSync(env.VAULT_PATH_LOG, 'agent\n')
        return turn.finish(typeof served.code === 'number' ? served.code : 0)
      }
      turn.finish(m.full === true ? 'full' : undefined)
    },
    () => undefined,
  )
}

function stdoutIsTerminal(): boolean {
  try {
    return fstatSync(1).isCharacterDevice()
  } catch {
    return false
  }
}
