/** A section of ~/.aws/config as read from disk, with where it came from (for file:line errors). */
export interface ConfigSection {
  /** `default`, the NAME of `[profile NAME]`, or the NAME of `[sso-session NAME]`. */
  name: string
  kind: 'profile' | 'sso-session'
  /** Lower-cased keys; nested (indented) values are kept as their raw multi-line text. */
  values: Record<string, string>
  file: string
  line: number
  /** Line of each key's last assignment, so a bad value can be reported as file:line. */
  keyLines?: Record<string, number>
}

/**
 * Flags that override every other source. Durations are in seconds. region and duration apply
 * to every profile in the chain (as aws-vault's flags do); mfaSerial and roleArn to the active one.
 */
export interface ProfileOverrides {
  region?: string
  mfaSerial?: string
  /** --duration: the AssumeRole, GetSessionToken and GetFederationToken duration of every link. */
  duration?: number
  roleArn?: string
}

/**
 * One profile with every setting resolved (flags > env > own section > include_profile > [default] > defaults).
 * `source` is the resolved `source_profile`, so a role chain is a linked list ending at the profile holding keys.
 */
export interface ResolvedProfile {
  name: string
  region?: string
  mfaSerial?: string
  roleArn?: string
  externalId?: string
  roleSessionName?: string
  sourceProfileName?: string
  source?: ResolvedProfile
  credentialProcess?: string
  mfaProcess?: string
  webIdentityTokenFile?: string
  webIdentityTokenProcess?: string
  ssoSession?: string
  ssoStartUrl?: string
  ssoRegion?: string
  ssoAccountId?: string
  ssoRoleName?: string
  ssoRegistrationScopes?: string
  sessionTags?: Record<string, string>
  transitiveSessionTags?: string[]
  sourceIdentity?: string
  stsRegionalEndpoints?: 'legacy' | 'regional'
  endpointUrl?: string
  /** duration_seconds from the config file, when set (the AssumeRole duration unless a variable or flag beats it). */
  durationSeconds?: number
  /**
   * --duration, when given: the credentials handed out must last about this long, so a cached
   * credential that expires well before is not reused (see src/vault/chain.ts).
   */
  durationFlag?: number
  /** Seconds. Defaults: 1 h, 1 h, 8 h, 1 h. */
  assumeRoleDuration: number
  getSessionTokenDuration: number
  chainedGetSessionTokenDuration: number
  federationTokenDuration: number
  /** AWS_MIN_TTL: reuse a cached credential only while more than this many seconds are left. Default 300. */
  minTtl: number
}
