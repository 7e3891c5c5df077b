/**
 * Where the agent listens, and the check that only its user can reach it. Shared by the agent,
 * its commands and the tiny client on the fast path (bundled into bin/, so node built-ins only).
 */
import { lstatSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** The variable that publishes the agent's socket, as SSH_AUTH_SOCK does ssh-agent's; empty: no agent. */
export const AGENT_SOCK_ENV = 'AWS_VAULT_AGENT_SOCK'

/** The socket: AWS_VAULT_AGENT_SOCK, else $XDG_RUNTIME_DIR/vault/agent.sock, else ~/.awsvault/agent/agent.sock. */
export function agentSocketPath(env: Record<string, string | undefined>, homedir: string): string | undefined {
  const set = env[AGENT_SOCK_ENV]
  if (set !== undefined) return set === '' ? undefined : set
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'vault', 'agent.sock')
  return join(homedir, '.awsvault', 'agent', 'agent.sock')
}

/** What is wrong with the socket's directory, or undefined when only `uid` can enter it. */
export function unsafeDirReason(dir: string, uid: number): string | undefined {
  let st: ReturnType<typeof lstatSync>
  try {
    st = lstatSync(dir)
  } catch (err) {
    return `cannot inspect ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
  }
  if (st.isSymbolicLink()) return `${dir} is a symbolic link`
  if (!st.isDirectory()) return `${dir} is not a directory`
  if (st.uid !== uid) return `${dir} is owned by uid ${st.uid}, not by you (uid ${uid})`
  if ((st.mode & 0o077) !== 0) return `${dir} can be entered by other users (mode ${(st.mode & 0o777).toString(8)})`
  return undefined
}

/**
 * Creates the socket's directory (0700) when missing and returns the reason it is unsafe, if any:
 * the agent refuses a directory another user owns or can enter, since the directory is what keeps
 * other users off the socket (Node exposes no SO_PEERCRED to check each connection).
 */
export function preparePrivateDir(socket: string, uid: number): string | undefined {
  const dir = dirname(socket)
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch (err) {
    return `cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
  }
  return unsafeDirReason(dir, uid)
}
