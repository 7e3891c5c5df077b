import type { AwsCredentials } from '../aws/credentials.js'
import { StoreError } from '../errors.js'
import type { Clock, Env, Logger } from '../runtime/types.js'
import type { CredentialStore } from '../stores/credential-store.js'
import type { SecretStore } from '../stores/secret-store.js'
import type { RuntimeOptions } from '../stores/store-settings.js'
import { type ChainContext, providerFor } from '../vault/chain.js'
import type { HandOutSink, ObtainStep } from '../vault/hand-out.js'
import {
  formatRemaining,
  type LockFn,
  type LongTermKeys,
  type SessionCache,
  type SessionKey,
} from '../vault/provider.js'
import type { StsFactory } from '../vault/sts-port.js'
import { cannotAsk, Flights, NeedsUser } from './flights.js'
import type { Notifier } from './notify.js'
import type { AgentAnswer, AgentRequest } from './port.js'
import { storeIdentity } from './port.js'

/** What the holder uses of a runtime: the composition root builds one per store generation. */
export interface HolderRuntime {
  readonly env: Env
  readonly homedir: string
  readonly clock: Clock
  readonly log: Logger
  readonly stsFactory: StsFactory
  readonly lock: LockFn
  readonly handOuts: HandOutSink
  store(): Promise<SecretStore>
  keys(): Promise<CredentialStore>
  sessions(): Promise<SessionCache>
}

/**
 * Builds a runtime with these ports replaced: src/compose/runtime.ts `runtimeFactory`, with the
 * agent's own env, homedir, clock and log (or a test's fakes) fixed in it.
 */
export type HolderRuntimeFactory = (replaced: {
  hasTerminal?: boolean
  agent?: undefined
  passphrase?: (dir: string) => Promise<string>
  store?: () => Promise<SecretStore>
}) => HolderRuntime

export interface HolderOptions {
  options: RuntimeOptions
  /** How long anything is held after the store is first unlocked; then everything is forgotten. */
  lifetimeMs: number
  /** Builds the runtime the chain runs on, afresh after each forget(). */
  runtime: HolderRuntimeFactory
  /** Desktop notifications (src/agent/notify.ts); none when omitted. */
  notify?: Notifier
  /** Warn this long before an MFA session ends. */
  warnBeforeMs?: number
}

/** Background refresh renews held credentials this long before a client would (their window). */
export const REFRESH_LEAD_SECONDS = 300

/** The default for HolderOptions.warnBeforeMs: ten minutes. */
export const WARN_BEFORE_MS = 10 * 60_000

/** One held session or role credential, as `status` shows it (never the secret). */
export interface HeldItem {
  profile: string
  kind: SessionKey['type'] | 'keys'
  mfa: boolean
  expiration?: string
}

export interface HolderStatus {
  unlocked: boolean
  /** When everything held is forgotten (ISO time), when anything is held. */
  forgetAt?: string
  items: HeldItem[]
  /** What the user was notified of and still holds: an MFA session about to end, a code needed. */
  notices?: string[]
}

/**
 * What the agent holds, in memory only: the unlocked store (the file backend's passphrase,
 * obtained from a client), the long-term keys it read, and the sessions and role credentials it
 * obtained. Each request runs the ordinary credential chain over these; sessions are still written
 * to the session store, so vault without the agent finds them. `forget()` drops all of it.
 */
export class Holder {
  readonly flights = new Flights<AgentAnswer>()
  readonly identity: string
  private base!: HolderRuntime
  private keyMemo = new Map<string, AwsCredentials>()
  private sessionMemo = new Map<string, { key: SessionKey; creds: AwsCredentials }>()
  private passphrase?: Promise<string>
  private unlocked = false
  private forgetTimer?: NodeJS.Timeout
  private forgetAt?: number
  /** The requests served, by flight key: background refresh renews their credentials. */
  private held = new Map<string, AgentRequest>()
  /** Notifications sent, by what they are about, so each is sent once. */
  private notices = new Map<string, string>()

  constructor(private readonly o: HolderOptions) {
    this.reset()
    this.identity = storeIdentity(o.options, this.base.env, this.base.homedir)
  }

  get runtime(): HolderRuntime {
    return this.base
  }

  /** Runs the chain for `request`, sharing a run with identical requests in flight. */
  async obtainShared(request: AgentRequest, asker: Parameters<Flights<AgentAnswer>['run']>[1]): Promise<AgentAnswer> {
    const key = flightKey(request)
    const answer = await this.flights.run(key, asker, () => this.obtain(request))
    if (answer.credentials.expiration) this.held.set(key, request)
    this.notices.delete(`code ${request.profile.name}`)
    return answer
  }

  /**
   * Background work, run every few seconds: one notification before each MFA session ends, and a
   * refresh of every held credential before a client would need one, with no prompt. When the
   * refresh needs a new code, one notification instead.
   */
  async tick(): Promise<void> {
    const now = this.base.clock.now().getTime()
    for (const { key, creds } of this.sessionMemo.values()) {
      if (key.type !== 'sts.GetSessionToken' || !key.mfaSerial || !creds.expiration) continue
      const left = creds.expiration.getTime() - now
      const id = `ends ${keyId(key)} ${creds.expiration.toISOString()}`
      if (left > 0 && left <= (this.o.warnBeforeMs ?? WARN_BEFORE_MS) && !this.notices.has(id))
        this.notice(
          id,
          `the MFA session of profile ${key.profile} ends in ${formatRemaining(left)}; run a vault command for it to enter a new code`,
        )
    }
    for (const [key, request] of this.held) {
      const ahead = { ...request, windowSeconds: request.windowSeconds + REFRESH_LEAD_SECONDS }
      try {
        await this.flights.run(`${key} background`, cannotAsk, () => this.obtain(ahead))
      } catch (err) {
        const id = `code ${request.profile.name}`
        if (err instanceof NeedsUser && !this.notices.has(id))
          this.notice(
            id,
            `profile ${request.profile.name} needs a new MFA code; run: vault export ${request.profile.name}`,
          )
        else this.base.log.debug(`agent: background refresh of ${request.profile.name}: ${(err as Error).message}`)
      }
    }
  }

  private notice(id: string, message: string): void {
    this.notices.set(id, message)
    this.o.notify?.(`vault: ${message}`)
  }

  private async obtain(request: AgentRequest): Promise<AgentAnswer> {
    const rt = this.base
    this.armLifetime()
    const steps: ObtainStep[] = []
    const warnings: string[] = []
    const ctx: ChainContext = {
      keys: this.keys(),
      sessions: this.sessions(),
      sts: rt.stsFactory,
      mfa: ({ serial, profile }) => this.flights.ask({ need: 'mfa', serial, profile }),
      clock: rt.clock,
      log: rt.log,
      env: request.env,
      lock: rt.lock,
      noSession: request.noSession,
      windowSeconds: request.windowSeconds,
      warn: (m) => warnings.push(m),
      trace: (step) => steps.push(step),
      // No SSO: its device login shows a URL and opens a browser, which belong to the client's
      // terminal. An SSO profile fails here and the client takes the direct path.
    }
    const generation = this.base
    try {
      const provider = await providerFor(request.profile, ctx)
      const credentials = await provider.retrieve()
      this.unlocked = true
      return { credentials, steps, warnings: [...new Set(warnings)] }
    } catch (err) {
      // A wrong passphrase, a locked keychain: nothing learnt is kept.
      if (err instanceof StoreError && generation === this.base) this.forget()
      throw err
    }
  }

  /** Forgets every secret at once: `vault agent lock`, `stop`, and the end of the lifetime. */
  forget(): void {
    clearTimeout(this.forgetTimer)
    this.forgetTimer = undefined
    this.forgetAt = undefined
    this.reset()
  }

  status(): HolderStatus {
    const items: HeldItem[] = [...this.keyMemo.keys()].map((profile) => ({ profile, kind: 'keys', mfa: false }))
    for (const { key, creds } of this.sessionMemo.values()) {
      items.push({
        profile: key.profile,
        kind: key.type,
        mfa: key.mfaSerial !== '',
        expiration: creds.expiration?.toISOString(),
      })
    }
    return {
      unlocked: this.unlocked,
      forgetAt: this.forgetAt === undefined ? undefined : new Date(this.forgetAt).toISOString(),
      items,
      notices: [...this.notices.values()],
    }
  }

  close(): void {
    this.forget()
  }

  private reset(): void {
    this.keyMemo = new Map()
    this.sessionMemo = new Map()
    this.held = new Map()
    this.notices = new Map()
    this.passphrase = undefined
    this.unlocked = false
    this.base = this.o.runtime({
      hasTerminal: false,
      agent: undefined,
      passphrase: (dir) => this.askPassphrase(dir),
    })
  }

  /** The lifetime runs from the first request after an unlock (or a forget). */
  private armLifetime(): void {
    if (this.forgetTimer) return
    this.forgetAt = this.base.clock.now().getTime() + this.o.lifetimeMs
    this.forgetTimer = setTimeout(() => this.forget(), this.o.lifetimeMs)
    this.forgetTimer.unref()
  }

  /** The file backend's passphrase, asked once of a client and held; a failed ask is not kept. */
  private askPassphrase(dir: string): Promise<string> {
    this.passphrase ??= this.flights.ask({ need: 'passphrase', dir }).catch((err) => {
      this.passphrase = undefined
      throw err
    })
    return this.passphrase
  }

  /** Long-term keys, read from the store once and then held. */
  private keys(): LongTermKeys {
    const memo = this.keyMemo
    const rt = this.base
    return {
      async has(profile, options) {
        return memo.has(profile) || (await rt.keys()).has(profile, options)
      },
      async get(profile) {
        const held = memo.get(profile)
        if (held) return held
        const read = await (await rt.keys()).get(profile)
        if (read) memo.set(profile, read)
        return read
      },
    }
  }

  /**
   * Sessions held in memory over the session store. The store is listed afresh for each request
   * that misses the memory (a runtime's SessionStore lists once), so sessions other processes
   * cached meanwhile are found.
   */
  private sessions(): SessionCache {
    const memo = this.sessionMemo
    const base = this.base
    let store: Promise<SessionCache> | undefined
    const inner = () => {
      store ??= this.o.runtime({ store: () => base.store(), agent: undefined }).sessions()
      return store
    }
    return {
      async get(key, now) {
        const held = memo.get(keyId(key))
        if (held?.creds.expiration && held.creds.expiration > now) return held.creds
        const found = await (await inner()).get(key, now)
        if (found) memo.set(keyId(key), { key, creds: found })
        return found
      },
      async set(key, creds, now) {
        memo.set(keyId(key), { key, creds })
        await (await inner()).set(key, creds, now)
      },
      async remove(key) {
        memo.delete(keyId(key))
        return (await inner()).remove(key)
      },
    }
  }
}

const keyId = (key: SessionKey) => `${key.type},${key.profile},${key.mfaSerial}`

/**
 * Requests share a run when they ask for the same profile, resolved the same way, handed out the
 * same way, under the same AWS_* variables (what the chain reads: endpoints, session names).
 */
function flightKey(request: AgentRequest): string {
  const aws = Object.entries(request.env)
    .filter(([k]) => k.startsWith('AWS_'))
    .sort(([a], [b]) => a.localeCompare(b))
  return JSON.stringify([request.profile, request.noSession, request.windowSeconds, aws])
}
