import type { AwsCredentials } from '../aws/credentials.js'
import { UsageError } from '../errors.js'
import { hasControlCharacter } from './printable.js'
import { fishQuote, posixQuote, safeWord } from './quote.js'

/** `fish` is export-env for fish (`vault export --format fish PROFILE | source`). */
export const exportFormats = ['env', 'export-env', 'fish', 'ini', 'json'] as const
export type ExportFormat = (typeof exportFormats)[number]

/** UTC, whole seconds, `Z` suffix: the form credential_process and AWS_CREDENTIAL_EXPIRATION use. */
export function isoSeconds(date: Date): string {
  // toISOString always ends in `.sssZ`; slicing skips compiling a regex on every cache hit.
  return `${date.toISOString().slice(0, -5)}Z`
}

/**
 * Every variable `vault export --format export-env` (and the shell integration) may set: what a
 * switch unsets first and what deactivation removes, and nothing else.
 */
export const exportedVariables = [
  'AWS_VAULT',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
] as const

/** The variables vault sets for a profile's credentials, in a stable order. */
export function credentialVariables(creds: AwsCredentials, region?: string): Array<[string, string]> {
  const vars: Array<[string, string]> = []
  if (region) vars.push(['AWS_REGION', region], ['AWS_DEFAULT_REGION', region])
  vars.push(['AWS_ACCESS_KEY_ID', creds.accessKeyId], ['AWS_SECRET_ACCESS_KEY', creds.secretAccessKey])
  if (creds.sessionToken) vars.push(['AWS_SESSION_TOKEN', creds.sessionToken])
  if (creds.expiration) vars.push(['AWS_CREDENTIAL_EXPIRATION', isoSeconds(creds.expiration)])
  return vars
}

/**
 * The credential_process contract (Version 1). Long-term keys have no Expiration or SessionToken,
 * and the SDKs treat a missing Expiration as "never refresh", so both are left out then.
 */
export function credentialProcessJson(creds: AwsCredentials): string {
  const out: Record<string, string | number> = {
    Version: 1,
    AccessKeyId: creds.accessKeyId,
    SecretAccessKey: creds.secretAccessKey,
  }
  if (creds.sessionToken) out.SessionToken = creds.sessionToken
  if (creds.expiration) out.Expiration = isoSeconds(creds.expiration)
  return `${JSON.stringify(out, null, 2)}\n`
}

/**
 * The text for one consumer. Values are assumed hostile (a credential_process, an SSO portal or
 * another tool's store made them): export-env and fish quote for their shell; env and ini have no
 * quoting their readers agree on, so they refuse a value they cannot hold (see refuse()).
 */
export function formatCredentials(
  format: ExportFormat,
  creds: AwsCredentials,
  options: { profile: string; region?: string },
): string {
  switch (format) {
    case 'json':
      return credentialProcessJson(creds)
    case 'env': {
      // aws-vault cli/export.go printEnv prints KEY=value raw. Its readers disagree on quotes
      // (docker --env-file and systemd take the line literally, a shell's eval interprets it), so
      // only a value that means the same to all of them is printed; real AWS values always are.
      const vars = credentialVariables(creds, options.region)
      for (const [k, v] of vars) if (!safeWord(v)) refuse('env', k, 'export-env, fish or json')
      return vars.map(([k, v]) => `${k}=${v}\n`).join('')
    }
    case 'export-env':
    case 'fish': {
      // AWS_VAULT marks the shell as activated (prompts, starship and oh-my-zsh read it, as after
      // aws-vault exec). What this profile does not set is unset first, so a switch never leaves
      // another profile's session token beside these keys. fish has no `unset` (and reads \' and
      // \\ inside single quotes as escapes), so it gets its own text.
      const vars: Array<[string, string]> = [
        ['AWS_VAULT', options.profile],
        ...credentialVariables(creds, options.region),
      ]
      const stale = exportedVariables.filter((name) => !vars.some(([k]) => k === name))
      if (format === 'fish') {
        // fish's set keeps $status when it succeeds, so the 4 of erasing an unset variable would be
        // what `| source` returns; `or true` makes a load that worked return 0.
        const erase = stale.length ? `set -e ${stale.join(' ')}; or true\n` : ''
        return erase + vars.map(([k, v]) => `set -gx ${k} ${fishQuote(v)}\n`).join('')
      }
      const unset = stale.length ? `unset ${stale.join(' ')}\n` : ''
      return unset + vars.map(([k, v]) => `export ${k}=${posixQuote(v)}\n`).join('')
    }
    case 'ini':
      return ini(creds, options)
  }
}

/**
 * aws-vault cli/export.go printINI writes through go-ini. Its readers (botocore's configparser, the
 * SDKs' own parsers) have no escapes: a line break starts a new line, surrounding blanks are
 * trimmed, and the JS SDK drops everything from a blank followed by ; or #. Such values are refused.
 */
function ini(creds: AwsCredentials, options: { profile: string; region?: string }): string {
  const entries: Array<[string, string | undefined]> = [
    ['aws_access_key_id', creds.accessKeyId],
    ['aws_secret_access_key', creds.secretAccessKey],
    ['aws_session_token', creds.sessionToken],
    ['aws_credential_expiration', creds.expiration && isoSeconds(creds.expiration)],
    ['region', options.region],
  ]
  if (!iniHolds(options.profile) || /[[\]]/.test(options.profile)) refuse('ini', 'the profile name', 'json')
  const lines = [`[${options.profile}]`]
  for (const [k, v] of entries) {
    if (!v) continue
    if (!iniHolds(v)) refuse('ini', k, 'json')
    lines.push(`${k}=${v}`)
  }
  return `${lines.join('\n')}\n`
}

function iniHolds(value: string): boolean {
  return !hasControlCharacter(value) && value === value.trim() && !/\s[;#]/.test(value)
}

function refuse(format: ExportFormat, what: string, instead: string): never {
  throw new UsageError(
    `--format ${format} cannot hold ${what}: it has characters that format cannot carry safely`,
    `use --format ${instead}`,
  )
}
