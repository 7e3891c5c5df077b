/**
 * The agent's client on the fast path, bundled alone into dist/fast-bundle/agent-client.cjs and
 * tried by bin/run.js before anything else loads: it sends the raw command line and environment
 * to the agent and writes the bytes the agent answers (src/agent/argv-request.ts). A cache hit
 * through the agent then costs a Node start-up and one round trip. No agent, a refused or silent
 * socket, a killed agent: resolves undefined and vault goes on as if none ran.
 */
import { appendFileSync, existsSync, fstatSync, writeSync } from 'node:fs'
import { createConnection } from 'node:net'
import { homedir } from 'node:os'
import { dirname } from 'node:path'
import { clientEnv } from './port.js'
import { agentSocketPath, unsafeDirReason } from './socket-path.js'
import { FIRST_WORD_MS, readLines, SILENCE_MS, send } from './wire.js'

/** The exit code when the agent served the command; 'full' to skip the fast path; undefined otherwise. */
export function tryAgent(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | 'full' | undefined> {
  const socket = agentSocketPath(env, env.HOME ?? homedir())
  if (!socket || !existsSync(socket) || !trusted(socket)) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    const s = createConnection(socket)
    let timer: NodeJS.Timeout | undefined
    const arm = (ms: number) => {
      clearTimeout(timer)
      timer = setTimeout(() => finish(undefined), ms)
    }
    let settled = false
    const finish = (result: number | 'full' | undefined) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      s.destroy()
      resolve(result)
    }
    arm(FIRST_WORD_MS)
    s.on('connect', () => send(s, { op: 'argv', argv, env: clientEnv(env), stdoutIsTerminal: stdoutIsTerminal() }))
    s.on('error', () => finish(undefined))
    s.on('close', () => finish(undefined))
    readLines(
      s,
      (m) => {
        if (m.wait) return arm(SILENCE_MS)
        const served = m.served as { stdout?: unknown; stderr?: unknown; code?: unknown } | undefined
        if (served && typeof served.stdout === 'string' && typeof served.stderr === 'string') {
          if (served.stdout) writeSync(1, served.stdout)
          if (served.stderr) writeSync(2, served.stderr)
          if (env.VAULT_PATH_LOG) appendFileSync(env.VAULT_PATH_LOG, 'agent\n')
          return finish(typeof served.code === 'number' ? served.code : 0)
        }
        finish(m.full === true ? 'full' : undefined)
      },
      () => finish(undefined),
    )
  })
}

/** Only a socket in a directory that this user alone can enter may answer as the agent. */
function trusted(socket: string): boolean {
  const uid = process.getuid?.()
  return uid === undefined || unsafeDirReason(dirname(socket), uid) === undefined
}

function stdoutIsTerminal(): boolean {
  try {
    return fstatSync(1).isCharacterDevice()
  } catch {
    return false
  }
}
