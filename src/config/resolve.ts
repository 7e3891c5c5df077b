import { ConfigError, NotFoundError, UsageError } from '../errors.js'
import type { Env, Logger } from '../runtime/types.js'
import { closest } from '../text/closest.js'
import { explainAmbiguities } from './ambiguity.js'
import type { ConfigFile } from './config-file.js'
import { cycleError } from './cycle.js'
import {
  DURATION_VARIABLE,
  formatDuration,
  parseDuration,
  STS_DURATION_LIMITS,
  type StsCall,
  stsDurationProblem,
} from './duration.js'
import { settingsFromFile, stsRegionalEndpoints } from './file-settings.js'
import { parseSessionTags, parseTransitiveTags } from './tags.js'
import type { ProfileOverrides, ResolvedProfile } from './types.js'

export interface ResolveOptions {
  env: Env
  /**
   * Command-line flags. --region and --duration apply to every profile in the chain, as in
   * aws-vault (its flags fill the BaseConfig every profile starts from); role_arn and mfa_serial
   * overrides apply to the profile asked for.
   */
  overrides?: ProfileOverrides
  log?: Logger
  /**
   * Resolve a name that has no section instead of throwing NotFoundError, for a profile whose
   * keys are in vault's store (`vault add foo` works before [profile foo] exists).
   */
  allowMissing?: boolean
}

/** Built-in defaults, in seconds (aws-vault's DefaultSessionDuration and friends). */
export const DEFAULT_DURATIONS = {
  assumeRole: 3600,
  getSessionToken: 3600,
  chainedGetSessionToken: 8 * 3600,
  federationToken: 3600,
  /** The expiry window: a cached credential is reused only while more than this is left. */
  minTtl: 300,
} as const

type DurationField =
  | 'assumeRoleDuration'
  | 'getSessionTokenDuration'
  | 'chainedGetSessionTokenDuration'
  | 'federationTokenDuration'
  | 'minTtl'

/**
 * TTL variables that apply to every profile in the chain, as in aws-vault's populateFromEnv, with
 * the STS call whose limits they must respect (none for the expiry window).
 */
const TTL_VARIABLES: ReadonlyArray<readonly [string, DurationField, string, StsCall | undefined]> = [
  ['AWS_ASSUME_ROLE_TTL', 'assumeRoleDuration', 'AssumeRole duration', 'AssumeRole'],
  ['AWS_SESSION_TOKEN_TTL', 'getSessionTokenDuration', 'GetSessionToken duration', 'GetSessionToken'],
  [
    'AWS_CHAINED_SESSION_TOKEN_TTL',
    'chainedGetSessionTokenDuration',
    'chained GetSessionToken duration',
    'GetSessionToken',
  ],
  ['AWS_FEDERATION_TOKEN_TTL', 'federationTokenDuration', 'GetFederationToken duration', 'GetFederationToken'],
  ['AWS_MIN_TTL', 'minTtl', 'expiry window', undefined],
]

/**
 * Resolve a profile as aws-vault v7 does. Precedence, highest first: `overrides` (flags), the
 * environment, the profile's section, its include_profile chain, [default], built-in defaults.
 * source_profile is resolved recursively into `source`; a profile naming itself is ignored.
 *
 * Unlike aws-vault: an unknown profile is a NotFoundError (not a silent fall-through to
 * [default]) unless it is `default` or `allowMissing` is set; cycles are ConfigErrors naming
 * the cycle; malformed values are ConfigErrors naming the profile, key and file:line.
 */
export function resolveProfile(config: ConfigFile, name: string, opts: ResolveOptions): ResolvedProfile {
  if (name !== 'default' && !opts.allowMissing && !config.hasProfile(name)) throw unknownProfile(config, name)
  const duration = opts.overrides?.duration
  if (duration !== undefined) checkDurationFlag(duration, opts.env, 'GetSessionToken')
  return resolveLink(config, name, opts, [])
}

/**
 * "profile not found", with the nearest profile when the name looks like a typo of one. A typo
 * gets no `vault add` advice: that would store keys under the mistyped name.
 */
export function unknownProfile(config: ConfigFile, name: string): NotFoundError {
  const near = closest(name, config.profileNames())
  if (near) return new NotFoundError(`profile "${name}" not found in ${config.path}`, `did you mean "${near}"?`)
  return new NotFoundError(
    `profile "${name}" not found in ${config.path}`,
    `add [profile ${name}] to ${config.path}, or store keys for it with: vault add ${name}`,
  )
}

/** One link of the source_profile chain; `chain` holds the names of the links above it. */
function resolveLink(config: ConfigFile, name: string, opts: ResolveOptions, chain: string[]): ResolvedProfile {
  const log = opts.log?.enabled ? opts.log : undefined
  const active = chain.length === 0
  const p = settingsFromFile(config, name, log)
  // No file key sets the expiry window, so its default goes first and AWS_MIN_TTL=0 can clear it.
  p.minTtl = DEFAULT_DURATIONS.minTtl
  const fileDuration = p.durationSeconds
  applyEnv(p, opts.env, active, log)
  if (log && fileDuration !== undefined && opts.env.AWS_ASSUME_ROLE_TTL && !opts.overrides?.duration) {
    log.debug(
      `profile "${name}": AWS_ASSUME_ROLE_TTL (${formatDuration(p.assumeRoleDuration)}) beats duration_seconds (${formatDuration(fileDuration)}), as in aws-vault`,
    )
  }
  if (opts.overrides) applyOverrides(p, opts.overrides, active, log)
  applyDefaults(p)
  // --duration sets the AssumeRole duration too, which STS caps lower than the others.
  if (p.durationFlag !== undefined && p.roleArn) checkDurationFlag(p.durationFlag, opts.env, 'AssumeRole', name)

  if (p.sourceProfileName === name) {
    log?.debug(`profile "${name}": source_profile names the profile itself; ignored, as aws-vault does`)
    delete p.sourceProfileName
  }
  if (log) for (const note of explainAmbiguities(p)) log.debug(note)

  const source = p.sourceProfileName
  if (source) {
    const above = [...chain, name]
    const cycle = cycleError('source_profile', above, source, config.path)
    if (cycle) throw cycle
    if (log && source !== 'default' && !config.hasProfile(source)) {
      log.debug(
        `profile "${name}": source_profile "${source}" has no section in ${config.path}; its keys must be in vault's store`,
      )
    }
    p.source = resolveLink(config, source, opts, above)
    // ByteNess aws-vault (issue 389): a profile without mfa_process uses its source profile's.
    if (!p.mfaProcess && p.source.mfaProcess) {
      p.mfaProcess = p.source.mfaProcess
      log?.debug(`profile "${name}": using mfa_process of source profile "${source}"`)
    }
  }
  return p
}

function applyEnv(p: ResolvedProfile, env: Env, active: boolean, log: Logger | undefined): void {
  const note = (what: string, variable: string) => log?.debug(`profile "${p.name}": using ${what} from ${variable}`)
  // AWS_REGION beats AWS_DEFAULT_REGION, as in the AWS SDKs and aws-vault.
  const regionVariable = env.AWS_REGION ? 'AWS_REGION' : env.AWS_DEFAULT_REGION ? 'AWS_DEFAULT_REGION' : undefined
  if (regionVariable) {
    p.region = env[regionVariable]
    note(`region "${p.region}"`, regionVariable)
  }
  if (env.AWS_MFA_SERIAL) {
    p.mfaSerial = env.AWS_MFA_SERIAL
    note(`mfa_serial "${p.mfaSerial}"`, 'AWS_MFA_SERIAL')
  }
  // Not in the issue's list, but aws-vault v7 reads it for every profile too.
  const endpoints = env.AWS_STS_REGIONAL_ENDPOINTS
  if (endpoints) p.stsRegionalEndpoints = stsRegionalEndpoints(endpoints, () => 'AWS_STS_REGIONAL_ENDPOINTS')
  for (const [variable, field, what, call] of TTL_VARIABLES) {
    const text = env[variable]
    if (!text) continue
    p[field] = ttl(variable, text, p.name, call)
    note(`${what} ${formatDuration(p[field])}`, variable)
  }
  if (!active) return

  // These only make sense for the profile asked for: a role ARN for every link would loop.
  if (env.AWS_ROLE_ARN) {
    p.roleArn = env.AWS_ROLE_ARN
    note(`role_arn "${p.roleArn}"`, 'AWS_ROLE_ARN')
  }
  if (env.AWS_ROLE_SESSION_NAME) {
    p.roleSessionName = env.AWS_ROLE_SESSION_NAME
    note(`role_session_name "${p.roleSessionName}"`, 'AWS_ROLE_SESSION_NAME')
  }
  if (env.AWS_SESSION_TAGS) {
    try {
      p.sessionTags = parseSessionTags(env.AWS_SESSION_TAGS)
    } catch (err) {
      throw new ConfigError(`AWS_SESSION_TAGS (for profile "${p.name}"): ${(err as Error).message}`)
    }
    note('session_tags', 'AWS_SESSION_TAGS')
  }
  if (env.AWS_TRANSITIVE_TAGS) {
    p.transitiveSessionTags = parseTransitiveTags(env.AWS_TRANSITIVE_TAGS)
    note('transitive_session_tags', 'AWS_TRANSITIVE_TAGS')
  }
  if (env.AWS_SOURCE_IDENTITY) {
    p.sourceIdentity = env.AWS_SOURCE_IDENTITY
    note(`source_identity "${p.sourceIdentity}"`, 'AWS_SOURCE_IDENTITY')
  }
}

/** A TTL variable's value in seconds, within what STS accepts for `call` (when it feeds one). */
function ttl(variable: string, text: string, profile: string, call: StsCall | undefined): number {
  let seconds: number
  try {
    seconds = parseDuration(text)
  } catch (err) {
    throw new ConfigError(`${variable} (for profile "${profile}"): ${(err as Error).message}`)
  }
  const problem = call && stsDurationProblem(seconds, call)
  if (problem) {
    const { min, max } = STS_DURATION_LIMITS[call]
    throw new ConfigError(
      `${variable}=${text} ${problem}`,
      `set ${variable} between ${formatDuration(min)} and ${formatDuration(max)}, or unset it`,
    )
  }
  return seconds
}

/** --duration must suit every STS call it can feed: GetSessionToken always, AssumeRole for roles. */
function checkDurationFlag(seconds: number, env: Env, call: StsCall, roleProfile?: string): void {
  let problem = stsDurationProblem(seconds, call)
  if (!problem) return
  // Every STS call shares the minimum, and GetSessionToken's maximum is the highest: name the
  // call only when it is AssumeRole's lower maximum that the flag breaks.
  if (call === 'GetSessionToken') problem = problem.replace(/ for GetSessionToken$/, '')
  const { min, max } = STS_DURATION_LIMITS[call]
  throw new UsageError(
    `${durationSource(seconds, env)} ${problem}${roleProfile ? ` (profile "${roleProfile}" assumes a role)` : ''}`,
    `pass a duration from ${formatDuration(min)} to ${formatDuration(max)}`,
  )
}

/**
 * Where a duration the command line carries came from: oclif (and the fast path) fill --duration
 * from AWS_VAULT_DURATION when the flag is absent, so a value equal to the variable's is blamed on it.
 */
function durationSource(seconds: number, env: Env): string {
  const fromEnv = env[DURATION_VARIABLE]
  if (fromEnv !== undefined) {
    try {
      if (parseDuration(fromEnv) === seconds) return `${DURATION_VARIABLE}=${fromEnv}`
    } catch {}
  }
  return `--duration ${formatDuration(seconds)}`
}

function applyOverrides(p: ResolvedProfile, o: ProfileOverrides, active: boolean, log: Logger | undefined): void {
  const note = (what: string) => log?.debug(`profile "${p.name}": using ${what} from the command line`)
  // aws-vault puts --region and --duration in the BaseConfig every profile of the chain starts
  // from (cli/exec.go), so the whole chain uses them: STS calls go to that region, and every
  // role and session asks for that duration.
  if (o.region) {
    p.region = o.region
    note(`region "${o.region}"`)
  }
  if (o.duration !== undefined) {
    p.durationFlag = o.duration
    p.assumeRoleDuration = o.duration
    p.getSessionTokenDuration = o.duration
    p.federationTokenDuration = o.duration
    note(`duration ${formatDuration(o.duration)} (--duration)`)
  }
  if (!active) return
  if (o.mfaSerial) {
    p.mfaSerial = o.mfaSerial
    note(`mfa_serial "${o.mfaSerial}"`)
  }
  if (o.roleArn) {
    p.roleArn = o.roleArn
    note(`role_arn "${o.roleArn}"`)
  }
}

function applyDefaults(p: ResolvedProfile): void {
  p.assumeRoleDuration ||= DEFAULT_DURATIONS.assumeRole
  p.getSessionTokenDuration ||= DEFAULT_DURATIONS.getSessionToken
  p.chainedGetSessionTokenDuration ||= DEFAULT_DURATIONS.chainedGetSessionToken
  p.federationTokenDuration ||= DEFAULT_DURATIONS.federationToken
}
