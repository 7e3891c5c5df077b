/**
 * Runs KeychainStore operations in a fresh process, so each scenario gets its own D-Bus
 * connection and environment (the native module reads DBUS_SESSION_BUS_ADDRESS when it connects).
 * Input on stdin: {"timeoutMs"?: number, "ops": Op[]}. Output on stdout: one JSON result per op.
 */
import { StoreError } from '../../src/errors.js'
import { KeychainStore } from '../../src/stores/keychain-store.js'
import { readSecretServiceItem, secretServiceCalls } from '../../src/stores/secret-service-direct.js'

/** 'direct' is one read over vault's own D-Bus client, as a cache hit makes it (secret-service-direct.ts). */
type Op =
  | { op: 'get' | 'remove' | 'direct'; key: string }
  | { op: 'set'; key: string; data: string }
  | { op: 'keys' | 'entries' }

export interface OpResult {
  ok: boolean
  value?: unknown
  reason?: string
  message?: string
  hint?: string
  ms: number
}

let input = ''
for await (const chunk of process.stdin) input += chunk
const { ops, timeoutMs, direct } = JSON.parse(input) as { ops: Op[]; timeoutMs?: number; direct?: boolean }
// With `direct`, each operation goes over vault's own D-Bus client first, as createStore wires it on Linux.
const store = new KeychainStore({
  backend: 'secret-service',
  platform: 'linux',
  timeoutMs,
  direct: direct ? secretServiceCalls(process.env) : undefined,
})
const results: OpResult[] = []
for (const op of ops) {
  const started = Date.now()
  try {
    let value: unknown
    if (op.op === 'get') value = await store.get(op.key)
    else if (op.op === 'direct')
      value = await readSecretServiceItem(process.env, 'aws-vault', op.key, timeoutMs ?? 5000)
    else if (op.op === 'set') value = await store.set({ key: op.key, data: op.data })
    else if (op.op === 'remove') value = await store.remove(op.key)
    else if (op.op === 'keys') value = (await store.keys()).sort()
    else value = await store.entries()
    results.push({ ok: true, value, ms: Date.now() - started })
  } catch (err) {
    const e = err as StoreError
    results.push({
      ok: false,
      reason: e instanceof StoreError ? e.reason : (e as Error).name,
      message: e.message,
      hint: e.hint,
      ms: Date.now() - started,
    })
  }
}
process.stdout.write(JSON.stringify(results))
// A native call that timed out may still hold a libuv thread, and Node waits for those at exit.
if (results.some((r) => r.reason === 'timeout')) process.kill(process.pid, 'SIGKILL')
