/**
 * Runs credential and session store operations in a fresh process against the platform keychain,
 * built as vault builds it (createStore: the store index and its lock under $HOME/.awsvault).
 * Input on stdin: {"ops": Op[]}. Output on stdout: {"results": unknown[], "native": string[], "ms": number[]},
 * `native` being each native keychain call the store made, in order (from its --debug lines), and
 * `ms` each op's own time (the process's start-up, the loader compiling this file, is not in it).
 */

import { SessionStore } from '../../src/sessions/session-store.js'
import { createStore } from '../../src/stores/backend.js'
import { CredentialStore } from '../../src/stores/credential-store.js'

export type TypedOp =
  | { op: 'setSession'; profile: string; expires: number; tag?: string }
  | { op: 'getSession'; profile: string }
  | { op: 'setKeys' | 'hasKeys'; profile: string }
  | { op: 'listSessions' | 'listKeys' | 'fresh' }

let input = ''
for await (const chunk of process.stdin) input += chunk
const { ops } = JSON.parse(input) as { ops: TypedOp[] }
const native: string[] = []
const logger = {
  enabled: true,
  debug(line: string) {
    const m = /^secret-service: (.*) took \d+ms$/.exec(line)
    if (m) native.push(m[1])
  },
}
const store = createStore(undefined, {
  env: process.env,
  homedir: process.env.HOME as string,
  platform: 'linux',
  logger,
  passphrase: async () => '',
  timeoutMs: 60_000,
})
const now = new Date()
const role = (profile: string) => ({ type: 'sts.AssumeRole', profile, mfaSerial: '' })
let keys = new CredentialStore(store)
let sessions = new SessionStore(store, { logger })
const results: unknown[] = []
const ms: number[] = []
for (const op of ops) {
  const started = Date.now()
  switch (op.op) {
    case 'setSession': {
      const expiration = new Date(op.expires * 1000)
      const tag = op.tag ?? op.profile
      const creds = { accessKeyId: `ASIA${tag}`, secretAccessKey: 's'.repeat(40), sessionToken: 't', expiration }
      results.push(await sessions.set(role(op.profile), creds, now))
      break
    }
    case 'getSession':
      results.push((await sessions.get(role(op.profile), now))?.accessKeyId ?? null)
      break
    case 'setKeys':
      results.push(await keys.set(op.profile, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) }))
      break
    case 'hasKeys':
      results.push(await keys.has(op.profile))
      break
    case 'listSessions':
      results.push((await sessions.list()).map((s) => s.profile))
      break
    case 'listKeys':
      results.push(await keys.list())
      break
    case 'fresh':
      // What a new process starts with: count native calls from here on.
      keys = new CredentialStore(store)
      sessions = new SessionStore(store, { logger })
      native.length = 0
      results.push(null)
      break
  }
  ms.push(Date.now() - started)
}
process.stdout.write(JSON.stringify({ results, native, ms }))
