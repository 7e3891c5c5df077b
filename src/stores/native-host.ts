import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type KeyringBinding, onAbandon } from './native-calls.js'

/** bin/keyring-host.cjs, from src/stores, dist/stores and dist/fast-bundle alike. */
const HOST = fileURLToPath(new URL('../../bin/keyring-host.cjs', import.meta.url))

type Request =
  | { op: 'get' | 'delete'; service: string; account: string }
  | { op: 'set'; service: string; account: string; password: string }
  | { op: 'find'; service: string }

interface Waiter {
  resolve(value: unknown): void
  reject(err: Error): void
}

/**
 * @napi-rs/keyring, run in a child process of its own (bin/keyring-host.cjs), behind the same
 * interface as the module itself. A native call that sticks (a Secret Service that stopped
 * answering mid-call) holds a thread, and Node joins its threads at exit, process.exit included:
 * in vault's own process only a SIGKILL could end it (exit 137). In the host it holds only the
 * host, which vault kills; vault itself ends with its own line and exit 69.
 *
 * The host starts on the first native call (a cache hit reads over D-Bus and makes none), once a
 * process, and never keeps vault alive: its channel is unreferenced, and it is killed at exit.
 * Secrets travel over the IPC pipe only.
 */
export function hostedBinding(): KeyringBinding {
  class AsyncEntry {
    constructor(
      private readonly service: string,
      private readonly account: string,
    ) {}
    getPassword() {
      return ask({ op: 'get', service: this.service, account: this.account })
    }
    setPassword(password: string) {
      return ask({ op: 'set', service: this.service, account: this.account, password })
    }
    deleteCredential() {
      return ask({ op: 'delete', service: this.service, account: this.account })
    }
  }
  const findCredentialsAsync = (service: string) => ask({ op: 'find', service })
  return { AsyncEntry, findCredentialsAsync } as unknown as KeyringBinding
}

let host: { child: ChildProcess; waiters: Map<number, Waiter>; ready: Promise<void> } | undefined

/**
 * Resolves once the host has started and loaded the module, within `limitMs`. A process start on
 * a busy machine takes seconds; the keychain's own deadlines start after it (keychain-store.ts).
 */
export function hostReady(limitMs: number): Promise<void> {
  const { ready } = start()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the keychain helper process did not start within ${limitMs / 1000} s`)),
      limitMs,
    )
    // Referenced: the host's channel is not, so this timer is what keeps vault waiting for it.
  })
  return Promise.race([ready, late]).finally(() => clearTimeout(timer))
}
let nextId = 0

function ask(request: Request): Promise<never> {
  const { child, waiters } = start()
  const id = ++nextId
  return new Promise((resolve, reject) => {
    waiters.set(id, { resolve: resolve as (v: unknown) => void, reject })
    child.send({ id, ...request }, (err) => {
      if (err) settle(id, { error: `cannot reach the keychain helper process: ${err.message}` })
    })
  })
}

function settle(id: number, reply: { value?: unknown; error?: string }): void {
  const waiter = host?.waiters.get(id)
  if (!waiter) return
  host?.waiters.delete(id)
  if (reply.error !== undefined) waiter.reject(new Error(reply.error))
  else waiter.resolve(reply.value)
}

function start(): NonNullable<typeof host> {
  if (host) return host
  const child = fork(HOST, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], execArgv: [], serialization: 'json' })
  let started: { resolve(): void; reject(err: Error): void } = { resolve() {}, reject() {} }
  const ready = new Promise<void>((resolve, reject) => {
    started = { resolve, reject }
  })
  ready.catch(() => {}) // asked for by hostReady; a host that dies first rejects its waiters too
  const current = { child, waiters: new Map<number, Waiter>(), ready }
  host = current
  child.on('message', (reply: { id: number; ready?: boolean; value?: unknown; error?: string }) => {
    if (reply.ready === true) started.resolve()
    else if (reply.ready === false) started.reject(new Error(reply.error ?? 'the keychain module did not load'))
    else settle(reply.id, reply)
  })
  const gone = (why: string) => {
    started.reject(new Error(`the keychain helper process ${why}`))
    if (host === current) host = undefined
    for (const waiter of current.waiters.values()) waiter.reject(new Error(`the keychain helper process ${why}`))
    current.waiters.clear()
  }
  child.on('error', (err) => gone(`failed: ${err.message}`))
  child.on('exit', (code, signal) => gone(`ended (${signal ?? `exit ${code}`})`))
  child.unref()
  ;(child.channel as { unref?: () => void } | undefined)?.unref?.()
  const kill = () => child.kill('SIGKILL')
  process.once('exit', kill)
  child.once('exit', () => process.off('exit', kill))
  onAbandon(kill)
  return current
}
