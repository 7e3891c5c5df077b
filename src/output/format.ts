import type { AwsCredentials } from '../vault/credentials.js'

export type ExportFormat = 'env' | 'export-env' | 'ini' | 'json'
export const exportFormats: readonly ExportFormat[] = ['env', 'export-env', 'ini', 'json']

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

/** Single-quote for POSIX shells: the only character needing care inside '…' is ' itself. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}

export function formatCredentials(
  format: ExportFormat,
  creds: AwsCredentials,
  options: { profile: string; region?: string },
): string {
  switch (format) {
    case 'json':
      return credentialProcessJson(creds)
    case 'env':
      return credentialVariables(creds, options.region)
        .map(([k, v]) => `${k}=${v}\n`)
        .join('')
    case 'export-env': {
      // AWS_VAULT marks the shell as activated (prompts, starship and oh-my-zsh read it, as after
      // aws-vault exec). What this profile does not set is unset first, so a switch never leaves
      // another profile's session token beside these keys.
      const vars: Array<[string, string]> = [
        ['AWS_VAULT', options.profile],
        ...credentialVariables(creds, options.region),
      ]
      const stale = exportedVariables.filter((name) => !vars.some(([k]) => k === name))
      const unset = stale.length ? `unset ${stale.join(' ')}\n` : ''
      return unset + vars.map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join('')
    }
    case 'ini': {
      const lines = [`[${options.profile}]`]
      lines.push(`aws_access_key_id=${creds.accessKeyId}`, `aws_secret_access_key=${creds.secretAccessKey}`)
      if (creds.sessionToken) lines.push(`aws_session_token=${creds.sessionToken}`)
      if (creds.expiration) lines.push(`aws_credential_expiration=${isoSeconds(creds.expiration)}`)
      if (options.region) lines.push(`region=${options.region}`)
      return `${lines.join('\n')}\n`
    }
  }
}
