/** A config file in, STS calls, --debug lines and warnings out: the chain driven through the config reader. */

import { ConfigFile } from '../../src/config/config-file.js'
import { resolveProfile } from '../../src/config/resolve.js'
import type { ProfileOverrides, ResolvedProfile } from '../../src/config/types.js'
import { fixedCode, type MfaSource } from '../../src/mfa/mfa-source.js'
import { type ChainContext, providerFor } from '../../src/vault/chain.js'
import type { ObtainStep } from '../../src/vault/hand-out.js'
import { noLock } from '../../src/vault/provider.js'
import type { StsFactory } from '../../src/vault/sts-port.js'
import { fixedClock, longTermKeys, memoryKeys, memoryLogger, memorySessions, recordingSts } from './fakes.js'

export interface ChainContextOptions {
  /** Profiles holding the long-term test keys; default caktus. */
  keys?: string[]
  env?: ChainContext['env']
  /** Default: -t 123456 for every request. Each request is counted (`prompts`). */
  mfa?: MfaSource
  noSession?: boolean
  windowSeconds?: number
  /** Makes the recording STS fail a call (see recordingSts). */
  fail?: Parameters<typeof recordingSts>[1]
  /** The STS the chain calls, built on the recording one; default: the recording STS itself. */
  sts?: (recording: ReturnType<typeof recordingSts>) => StsFactory
  warn?: ChainContext['warn']
  trace?: ChainContext['trace']
}

/**
 * A ChainContext over fakes: memory stores, a recording STS, a fixed clock and a memory log,
 * returned with the fakes a test inspects (issue 27: one fixture instead of one per test file).
 */
export function chainContext(options: ChainContextOptions = {}) {
  const clock = fixedClock()
  const sts = recordingSts(clock, options.fail)
  const sessions = memorySessions()
  const log = memoryLogger()
  let prompts = 0
  const mfa = options.mfa ?? fixedCode('123456')
  const ctx: ChainContext = {
    keys: memoryKeys(Object.fromEntries((options.keys ?? ['caktus']).map((name) => [name, longTermKeys]))),
    sessions,
    sts: options.sts?.(sts) ?? sts.factory,
    mfa: async (req) => {
      prompts += 1
      return mfa(req)
    },
    clock,
    log,
    env: options.env ?? {},
    lock: noLock,
    noSession: options.noSession ?? false,
    windowSeconds: options.windowSeconds ?? 300,
    ...(options.warn && { warn: options.warn }),
    ...(options.trace && { trace: options.trace }),
  }
  return { ctx, clock, sts, sessions, log, prompts: () => prompts }
}

export interface ChainRun {
  config: string
  profile: string
  /** Profiles holding long-term keys in the store. */
  keys: string[]
  env?: Record<string, string>
  overrides?: ProfileOverrides
  noSession?: boolean
  /** The MFA source; default: -t 123456 for every request. */
  mfa?: MfaSource
  windowSeconds?: number
}

/** Everything one fixture sees; `run` may be called again (same cache, clock and STS). */
export function chainFixture(base: Omit<ChainRun, 'profile'>) {
  const warnings: string[] = []
  const mfaRequests: Array<{ serial: string; profile: string }> = []
  /** The steps the chain reported (ChainContext.trace), across runs. */
  const steps: ObtainStep[] = []
  const { ctx, clock, sts, sessions, log } = chainContext({
    keys: base.keys,
    env: base.env,
    mfa: async (req) => {
      mfaRequests.push(req)
      return (base.mfa ?? fixedCode('123456'))(req)
    },
    noSession: base.noSession,
    windowSeconds: base.windowSeconds,
    warn: (m) => warnings.push(m),
    trace: (step) => steps.push(step),
  })
  const resolve = (profile: string, overrides?: ProfileOverrides, env = base.env): ResolvedProfile =>
    resolveProfile(ConfigFile.fromText(base.config, '/home/u/.aws/config', log), profile, {
      env: env ?? {},
      overrides: overrides ?? base.overrides,
      log,
      allowMissing: true,
    })
  const context = (noSession = base.noSession ?? false): ChainContext => ({ ...ctx, noSession })
  return {
    clock,
    sts,
    sessions,
    log,
    warnings,
    mfaRequests,
    steps,
    resolve,
    async run(profile: string, options: { overrides?: ProfileOverrides; noSession?: boolean } = {}) {
      const p = resolve(profile, options.overrides)
      return (await providerFor(p, context(options.noSession))).retrieve()
    },
    /** The --debug line matching `pattern`, or a failure listing them all. */
    debugLine(pattern: RegExp): string {
      const line = log.lines.find((l) => pattern.test(l))
      if (!line) throw new Error(`no --debug line matches ${pattern}:\n${log.lines.join('\n')}`)
      return line
    },
  }
}
