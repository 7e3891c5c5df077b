import { spawn } from 'node:child_process'
import { callAgent } from '../agent/control.js'
import { Endpoints } from '../agent/endpoints.js'
import { Holder, type HolderRuntimeFactory, WARN_BEFORE_MS } from '../agent/holder.js'
import { desktopNotifier } from '../agent/notify.js'
import { clientEnv } from '../agent/port.js'
import { type AgentServerOptions, listenAgent } from '../agent/server.js'
import { AGENT_SOCK_ENV, agentSocketPath, preparePrivateDir } from '../agent/socket-path.js'
import { DEFAULT_DURATIONS } from '../config/resolve.js'
import { UsageError, VaultError } from '../errors.js'
import { type RuntimeOptions, STORE_ENV, type StoreSettings } from '../stores/store-settings.js'
import { formatRemaining } from '../vault/provider.js'
import type { Ports } from './ports.js'

type Deps = Pick<Ports, 'env' | 'homedir' | 'log' | 'clock' | 'streams' | 'sleep'>

/** How long the agent holds anything by default: the MFA session a role chain uses (8 h). */
export const DEFAULT_LIFETIME_SECONDS = DEFAULT_DURATIONS.chainedGetSessionToken

/** How long before an MFA session ends the agent notifies. */
export const DEFAULT_WARN_BEFORE_SECONDS = WARN_BEFORE_MS / 1000

/** How long `start` waits for a new agent to answer. */
const START_MS = 30_000

/** The agent's socket, or a usage error when AWS_VAULT_AGENT_SOCK is set empty (no agent). */
export function socketOf(rt: Pick<Ports, 'env' | 'homedir'>): string {
  const socket = agentSocketPath(rt.env, rt.homedir)
  if (!socket)
    throw new UsageError(`${AGENT_SOCK_ENV} is set empty, which turns the agent off`, `unset ${AGENT_SOCK_ENV}`)
  return socket
}

export interface StartRequest {
  options: RuntimeOptions
  lifetimeSeconds: number
  /** Notify this long before an MFA session ends. */
  warnBeforeSeconds: number
  /** bin/run.js of this installation. */
  bin: string
  uid: number
}

/**
 * `vault agent start`: finds the running agent, or starts one detached from this terminal (its
 * stdio on /dev/null, its environment without secrets) and waits until it answers. Returns the
 * `export AWS_VAULT_AGENT_SOCK=…` line, like ssh-agent's.
 */
export async function startAgent(rt: Deps, req: StartRequest): Promise<{ socket: string; started: boolean }> {
  const socket = socketOf(rt)
  const unsafe = preparePrivateDir(socket, req.uid)
  if (unsafe)
    throw new VaultError(
      `the agent's directory is not private: ${unsafe}`,
      'run: chmod 700 on it, or set AWS_VAULT_AGENT_SOCK to a path in a directory only you can enter',
    )
  if (await callAgent(socket, { op: 'status' })) return { socket, started: false }
  const env: Record<string, string> = { ...clientEnv(rt.env), [AGENT_SOCK_ENV]: socket }
  if (req.options.backend) env.AWS_VAULT_BACKEND = req.options.backend
  for (const [key, name] of Object.entries(STORE_ENV) as Array<[keyof StoreSettings, string]>) {
    const value = req.options.store?.[key]
    if (value) env[name] = value
  }
  const child = spawn(
    process.execPath,
    [
      req.bin,
      'agent',
      'run',
      '--lifetime',
      String(req.lifetimeSeconds),
      '--warn-before',
      String(req.warnBeforeSeconds),
    ],
    {
      detached: true,
      stdio: 'ignore',
      env,
    },
  )
  child.unref()
  let exited: number | null = null
  child.on('exit', (code) => (exited = code ?? 1))
  const deadline = rt.clock.now().getTime() + START_MS
  while (rt.clock.now().getTime() < deadline) {
    if (exited !== null)
      throw new VaultError(
        `the agent exited with code ${exited} while starting`,
        `run it in the foreground to see why: vault agent run --debug`,
      )
    if (await callAgent(socket, { op: 'status' })) return { socket, started: true }
    await rt.sleep(50)
  }
  throw new VaultError(
    `the agent did not answer on ${socket} within ${START_MS / 1000} s`,
    'try again, or run: vault agent run --debug',
  )
}

/**
 * The agent's own process, and what the composition root builds for it: a runtime per store
 * generation (with this process's env, homedir, clock and log) and the command-line server.
 */
export type AgentRunDeps = Deps &
  Pick<Ports, 'platform'> & { agentRuntime: HolderRuntimeFactory; serveArgv?: AgentServerOptions['argv'] }

/** `vault agent run`: the agent itself, in the foreground, until `stop`, SIGTERM or SIGINT. */
export async function runAgent(rt: AgentRunDeps, req: Omit<StartRequest, 'bin'>): Promise<void> {
  const socket = socketOf(rt)
  const unsafe = preparePrivateDir(socket, req.uid)
  if (unsafe)
    throw new VaultError(
      `the agent's directory is not private: ${unsafe}`,
      'chmod 700 it, or set AWS_VAULT_AGENT_SOCK elsewhere',
    )
  const holder = new Holder({
    options: req.options,
    lifetimeMs: req.lifetimeSeconds * 1000,
    runtime: rt.agentRuntime,
    notify: desktopNotifier(rt.platform, rt.env, rt.log),
    warnBeforeMs: req.warnBeforeSeconds * 1000,
  })
  const endpoints = new Endpoints(holder, { log: rt.log, handOuts: holder.runtime.handOuts })
  const server = await listenAgent({
    socket,
    holder,
    log: rt.log,
    argv: rt.serveArgv,
    extra: (m) => endpoints.handle(m),
    statusExtra: () => ({ endpoints: endpoints.list() }),
  }).catch((err: Error) => {
    throw new VaultError(`cannot start the agent: ${err.message}`, 'see it with: vault agent status')
  })
  rt.log.debug(`agent: listening on ${socket}`)
  const stop = () => void server.close()
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  // Background refresh and warnings; VAULT_AGENT_TICK_MS lets a test see them within seconds.
  let ticking = false
  const ticker = setInterval(() => {
    if (ticking) return
    ticking = true
    holder.tick().finally(() => (ticking = false))
  }, Number(rt.env.VAULT_AGENT_TICK_MS) || TICK_MS)
  await server.closed
  clearInterval(ticker)
  await endpoints.closeAll()
}

/** How often the agent looks for credentials to renew and sessions about to end. */
const TICK_MS = 30_000

/** `stop` and `lock`: false when no agent answered. */
export async function tellAgent(rt: Deps, op: 'stop' | 'lock'): Promise<boolean> {
  const answer = await callAgent(socketOf(rt), { op })
  return answer?.ok !== undefined
}

export interface AgentStatus {
  running: boolean
  socket: string
  pid?: number
  unlocked?: boolean
  forgetAt?: string
  items?: Array<{ profile: string; kind: string; mfa: boolean; expiration?: string }>
  notices?: string[]
  endpoints?: Array<{ profile: string; url: string }>
}

export async function agentStatus(rt: Deps): Promise<AgentStatus> {
  const socket = socketOf(rt)
  const answer = await callAgent(socket, { op: 'status' })
  if (!answer || typeof answer.ok !== 'object' || !answer.ok) return { running: false, socket }
  return { running: true, socket, ...(answer.ok as Omit<AgentStatus, 'running' | 'socket'>) }
}

/** Never a secret: profiles, kinds, expiry. */
export function renderAgentStatus(s: AgentStatus, now: Date): string {
  if (!s.running) return `no agent answers on ${s.socket}\n`
  const lines = [`agent (pid ${s.pid}) on ${s.socket}: store ${s.unlocked ? 'unlocked' : 'locked'}`]
  if (s.forgetAt)
    lines.push(`forgets everything in ${formatRemaining(Date.parse(s.forgetAt) - now.getTime())} (${s.forgetAt})`)
  for (const item of s.items ?? []) {
    const left = item.expiration
      ? `expires in ${formatRemaining(Date.parse(item.expiration) - now.getTime())}`
      : 'long-term'
    lines.push(`  ${item.profile}\t${item.kind}${item.mfa ? ' (MFA)' : ''}\t${left}`)
  }
  for (const e of s.endpoints ?? []) lines.push(`  ${e.profile}\tendpoint\t${e.url}`)
  for (const n of s.notices ?? []) lines.push(`notice: ${n}`)
  return `${lines.join('\n')}\n`
}
