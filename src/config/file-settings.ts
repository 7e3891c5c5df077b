import { ConfigError } from '../errors.js'
import type { Logger } from '../runtime/types.js'
import type { ConfigFile } from './config-file.js'
import { STS_DURATION_LIMITS, stsDurationProblem } from './duration.js'
import { label } from './ini.js'
import { keyLocation, profileLayers } from './layers.js'
import { parseSessionTags, parseTransitiveTags } from './tags.js'
import type { ConfigSection, ResolvedProfile } from './types.js'

type StringField = {
  [K in keyof ResolvedProfile]-?: string extends ResolvedProfile[K]
    ? ResolvedProfile[K] extends string | undefined
      ? K
      : never
    : never
}[keyof ResolvedProfile]

/** Keys copied as they are: the first section in precedence order with a non-empty value wins. */
const PLAIN_KEYS: ReadonlyArray<readonly [string, StringField]> = [
  ['region', 'region'],
  ['mfa_serial', 'mfaSerial'],
  ['role_arn', 'roleArn'],
  ['external_id', 'externalId'],
  ['role_session_name', 'roleSessionName'],
  ['source_profile', 'sourceProfileName'],
  ['credential_process', 'credentialProcess'],
  ['mfa_process', 'mfaProcess'],
  ['web_identity_token_file', 'webIdentityTokenFile'],
  ['web_identity_token_process', 'webIdentityTokenProcess'],
  ['sso_account_id', 'ssoAccountId'],
  ['sso_role_name', 'ssoRoleName'],
  ['source_identity', 'sourceIdentity'],
  ['endpoint_url', 'endpointUrl'],
]

/** Keys an [sso-session] section supplies to the profiles that name it. */
const SSO_SESSION_KEYS: ReadonlyArray<readonly [string, StringField]> = [
  ['sso_start_url', 'ssoStartUrl'],
  ['sso_region', 'ssoRegion'],
  ['sso_registration_scopes', 'ssoRegistrationScopes'],
]

interface Found {
  value: string
  section: ConfigSection
  index: number
}

/**
 * A profile's settings from the config file alone: its section, its include_profile chain and
 * [default]. Durations are left at 0 for the caller to fill from the environment and defaults.
 * A malformed value is a ConfigError naming the profile, the key and file:line.
 */
export function settingsFromFile(config: ConfigFile, name: string, log: Logger | undefined): ResolvedProfile {
  const layers = profileLayers(config, name)
  if (log && layers.length > 1) log.debug(`profile "${name}": reading ${layers.map(label).join(' ← ')}`)
  const p: ResolvedProfile = {
    name,
    assumeRoleDuration: 0,
    getSessionTokenDuration: 0,
    chainedGetSessionTokenDuration: 0,
    federationTokenDuration: 0,
    minTtl: 0,
  }
  for (const [key, field] of PLAIN_KEYS) {
    const found = pick(layers, key, layers.length)
    if (found) p[field] = found.value
  }
  applySsoSession(p, config, layers, log)

  const duration = pick(layers, 'duration_seconds', layers.length)
  if (duration) {
    p.durationSeconds = durationSeconds(name, duration)
    p.assumeRoleDuration = p.durationSeconds
  }
  const endpoints = pick(layers, 'sts_regional_endpoints', layers.length)
  if (endpoints)
    p.stsRegionalEndpoints = stsRegionalEndpoints(endpoints.value, () =>
      where(name, 'sts_regional_endpoints', endpoints),
    )
  const tags = pick(layers, 'session_tags', layers.length)
  if (tags) {
    try {
      p.sessionTags = parseSessionTags(tags.value)
    } catch (err) {
      throw new ConfigError(`${where(name, 'session_tags', tags)}: ${(err as Error).message}`)
    }
  }
  const transitive = pick(layers, 'transitive_session_tags', layers.length)
  if (transitive) p.transitiveSessionTags = parseTransitiveTags(transitive.value)
  return p
}

/** Validate sts_regional_endpoints (from the file or AWS_STS_REGIONAL_ENDPOINTS). */
export function stsRegionalEndpoints(value: string, source: () => string): 'legacy' | 'regional' {
  if (value === 'legacy' || value === 'regional') return value
  throw new ConfigError(`${source()}: sts_regional_endpoints must be "regional" or "legacy", not "${value}"`)
}

/**
 * sso_session pulls sso_start_url, sso_region and sso_registration_scopes from its
 * [sso-session] section. As in aws-vault, the session's values beat sso_start_url in the same
 * section (and in lower ones); a section of higher precedence still wins.
 */
function applySsoSession(
  p: ResolvedProfile,
  config: ConfigFile,
  layers: ConfigSection[],
  log: Logger | undefined,
): void {
  const session = pick(layers, 'sso_session', layers.length)
  if (!session) {
    for (const [key, field] of SSO_SESSION_KEYS) {
      const found = pick(layers, key, layers.length)
      if (found) p[field] = found.value
    }
    return
  }
  p.ssoSession = session.value
  const section = config.ssoSession(session.value)
  if (!section) {
    throw new ConfigError(
      `${where(p.name, 'sso_session', session)}: there is no [sso-session ${session.value}] section in ${config.path}`,
      `add [sso-session ${session.value}] with sso_start_url and sso_region`,
    )
  }
  for (const [key, field] of SSO_SESSION_KEYS) {
    const higher = pick(layers, key, session.index)
    const fromSession = section.values[key] || undefined
    const lower = fromSession === undefined || log ? pick(layers.slice(session.index), key, Infinity) : undefined
    const value = higher?.value ?? fromSession ?? lower?.value
    if (value !== undefined) p[field] = value
    if (log && !higher && fromSession && lower && lower.value !== fromSession) {
      log.debug(
        `profile "${p.name}": ${key} "${fromSession}" from [sso-session ${section.name}] wins over "${lower.value}" in ${label(lower.section)}, as in aws-vault`,
      )
    }
  }
}

function durationSeconds(profile: string, found: Found): number {
  const text = found.value
  let ok = text.length > 0
  for (let i = 0; i < text.length && ok; i++) ok = text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57
  if (!ok)
    throw new ConfigError(`${where(profile, 'duration_seconds', found)}: "${text}" is not a whole number of seconds`)
  const seconds = Number(text)
  // duration_seconds is the AssumeRole duration (AWS CLI and aws-vault alike).
  const problem = stsDurationProblem(seconds, 'AssumeRole')
  if (problem) {
    const own = found.section.kind === 'profile' && found.section.name === profile
    const from = own ? '' : `in ${label(found.section)} `
    throw new ConfigError(
      `profile "${profile}": duration_seconds = ${text} (${from}at ${keyLocation(found.section, 'duration_seconds')}) ${problem}`,
      `set duration_seconds between ${STS_DURATION_LIMITS.AssumeRole.min} and ${STS_DURATION_LIMITS.AssumeRole.max}`,
    )
  }
  return seconds
}

/** `profile "dev": duration_seconds (in [profile base] at /home/u/.aws/config:7)` */
function where(profile: string, key: string, found: Found): string {
  const own = found.section.kind === 'profile' && found.section.name === profile
  const from = own ? '' : `in ${label(found.section)} `
  return `profile "${profile}": ${key} (${from}at ${keyLocation(found.section, key)})`
}

/** The first of layers[0..limit) with a non-empty value for key. */
function pick(layers: ConfigSection[], key: string, limit: number): Found | undefined {
  const end = Math.min(limit, layers.length)
  for (let index = 0; index < end; index++) {
    const section = layers[index] as ConfigSection
    const value = section.values[key]
    if (value) return { value, section, index }
  }
  return undefined
}
