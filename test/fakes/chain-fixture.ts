/** A config file in, STS calls, --debug lines and warnings out: the chain driven through the config reader. */

import type { AwsCredentials } from '../../src/aws/credentials.js'
import { ConfigFile } from '../../src/config/config-file.js'
import { resolveProfile } from '../../src/config/resolve.js'
import type { ProfileOverrides, ResolvedProfile } from '../../src/config/types.js'
import { fixedCode, type MfaSource } from '../../src/mfa/mfa-source.js'
import { type ChainContext, providerFor } from '../../src/vault/chain.js'
import type { ObtainStep } from '../../src/vault/hand-out.js'
import { noLock } from '../../src/vault/provider.js'
import { fixedClock, longTermKeys, memoryKeys, memoryLogger, memorySessions, recordingSts } from './fakes.js'

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
  const clock = fixedClock()
  const sts = recordingSts(clock)
  const sessions = memorySessions()
  const log = memoryLogger()
  const warnings: string[] = []
  const mfaRequests: Array<{ serial: string; profile: string }> = []
  /** The steps the chain reported (ChainContext.trace), across runs. */
  const steps: ObtainStep[] = []
  const keys: Record<string, AwsCredentials> = {}
  for (const name of base.keys) keys[name] = longTermKeys
  const resolve = (profile: string, overrides?: ProfileOverrides, env = base.env): ResolvedProfile =>
    resolveProfile(ConfigFile.fromText(base.config, '/home/u/.aws/config', log), profile, {
      env: env ?? {},
      overrides: overrides ?? base.overrides,
      log,
      allowMissing: true,
    })
  const context = (noSession = base.noSession ?? false): ChainContext => ({
    keys: memoryKeys(keys),
    sessions,
    sts: sts.factory,
    mfa: async (req) => {
      mfaRequests.push(req)
      return (base.mfa ?? fixedCode('123456'))(req)
    },
    clock,
    log,
    env: base.env ?? {},
    lock: noLock,
    noSession,
    windowSeconds: base.windowSeconds ?? 300,
    warn: (m) => warnings.push(m),
    trace: (step) => steps.push(step),
  })
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
