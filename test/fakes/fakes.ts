/**
 * Small fakes for domain tests: a fixed clock, memory stores, a recording STS port, string sinks,
 * and the store ports and streams a use case's Deps takes.
 */
import { Writable } from 'node:stream'
import type { AwsCredentials } from '../../src/aws/credentials.js'
import type { ResolvedProfile } from '../../src/config/types.js'
import type { Clock, Logger, Streams } from '../../src/runtime/types.js'
import { SessionStore } from '../../src/sessions/session-store.js'
import { CredentialStore } from '../../src/stores/credential-store.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import type { SecretStore } from '../../src/stores/secret-store.js'
import type { LongTermKeys, SessionCache, SessionKey } from '../../src/vault/provider.js'
import type { StsFactory, StsPort, StsTarget } from '../../src/vault/sts-port.js'

export function fixedClock(iso = '2026-11-21T09:00:00Z'): Clock & { advance(seconds: number): void } {
  let now = new Date(iso).getTime()
  return {
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000
    },
  }
}

export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return { enabled: true, lines, debug: (m) => lines.push(m) }
}

export function memoryKeys(entries: Record<string, AwsCredentials> = {}): LongTermKeys {
  return {
    has: async (p) => p in entries,
    get: async (p) => entries[p] ?? null,
  }
}

export function memorySessions(): SessionCache & { items: Map<string, AwsCredentials> } {
  const items = new Map<string, AwsCredentials>()
  const id = (k: SessionKey) => `${k.type}|${k.profile}|${k.mfaSerial}`
  return {
    items,
    get: async (k, now) => {
      const c = items.get(id(k))
      return c?.expiration && c.expiration > now ? c : null
    },
    set: async (k, c) => {
      items.set(id(k), c)
    },
    remove: async (k) => {
      items.delete(id(k))
    },
  }
}

export interface StsCall {
  op: string
  input: Record<string, unknown>
  signedWith?: string
  target: StsTarget
}

/** A recording STS: every call is logged; credentials carry a counter so tests can tell them apart. */
export function recordingSts(clock: Clock, fail?: (op: string, input: Record<string, unknown>) => Error | undefined) {
  const calls: StsCall[] = []
  let n = 0
  const issue = (seconds: number): AwsCredentials => {
    n += 1
    return {
      accessKeyId: `ASIATEMP${String(n).padStart(12, '0')}`,
      secretAccessKey: `secret-${n}`,
      sessionToken: `token-${n}`,
      expiration: new Date(clock.now().getTime() + seconds * 1000),
    }
  }
  const factory: StsFactory = (creds, target) => {
    const record = async (op: string, input: Record<string, unknown>, seconds: number) => {
      calls.push({ op, input, signedWith: creds?.accessKeyId, target })
      const err = fail?.(op, input)
      if (err) throw err
      return issue(seconds)
    }
    const port: StsPort = {
      getSessionToken: (i) => record('GetSessionToken', { ...i }, i.durationSeconds),
      assumeRole: (i) => record('AssumeRole', { ...i }, i.durationSeconds),
      assumeRoleWithWebIdentity: (i) => record('AssumeRoleWithWebIdentity', { ...i }, i.durationSeconds),
      getFederationToken: (i) => record('GetFederationToken', { ...i }, i.durationSeconds),
      getCallerIdentity: async () => ({
        account: '111111111111',
        arn: 'arn:aws:iam::111111111111:user/u',
        userId: 'AIDA',
      }),
    }
    return port
  }
  return { factory, calls, ops: () => calls.map((c) => c.op) }
}

export const longTermKeys: AwsCredentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
}

/** A ResolvedProfile with aws-vault's defaults, for chain tests that do not go through the config reader. */
export function profile(name: string, fields: Partial<ResolvedProfile> = {}): ResolvedProfile {
  return {
    name,
    assumeRoleDuration: 3600,
    getSessionTokenDuration: 3600,
    chainedGetSessionTokenDuration: 8 * 3600,
    federationTokenDuration: 3600,
    minTtl: 300,
    ...fields,
  }
}

/** The MFA device every test user has. */
export const mfaSerial = 'arn:aws:iam::111111111111:mfa/jon'

/** A stream that keeps what is written to it, for a use case's stdout or stderr. */
export function stringSink(): { stream: Writable; text: () => string } {
  let text = ''
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk
      cb()
    },
  })
  return { stream, text: () => text }
}

/**
 * stdout and stderr as strings, for a use case's `streams` port. Writes are synchronous (a plain
 * write function), so the text is there as soon as the use case returns.
 */
export function bufferedStreams(): { streams: Streams; out: () => string; err: () => string } {
  let out = ''
  let err = ''
  const streams = {
    stdout: {
      write(s: string) {
        out += s
        return true
      },
    },
    stderr: {
      write(s: string) {
        err += s
        return true
      },
    },
  } as unknown as Streams
  return { streams, out: () => out, err: () => err }
}

/**
 * The store ports a use case takes (`store`, `keys`, `sessions`: see src/usecases/ports.ts), over
 * one secret store, a MemoryStore unless given. A test spreads what its use case's Deps names.
 */
export function storePorts(store: SecretStore = new MemoryStore()): {
  store(): Promise<SecretStore>
  keys(): Promise<CredentialStore>
  sessions(): Promise<SessionStore>
} {
  return {
    store: async () => store,
    keys: async () => new CredentialStore(store),
    sessions: async () => new SessionStore(store),
  }
}
