import type { ResolvedProfile } from './types.js'

/**
 * --debug notes for a profile that sets more than one way of getting credentials, saying which
 * one wins and why. The order is aws-vault's (vault/vault.go GetProviderForProfile): keys stored
 * for the profile or a source_profile first, then SSO, then web identity, then credential_process.
 * Stored keys live in vault's store, not the config, so the notes say "unless" where they matter.
 */
export function explainAmbiguities(p: ResolvedProfile): string[] {
  const notes: string[] = []
  const who = `profile "${p.name}"`
  const web = Boolean(p.webIdentityTokenFile || p.webIdentityTokenProcess)
  const others: string[] = []
  if (p.ssoStartUrl) others.push(p.ssoSession ? `sso_session "${p.ssoSession}"` : 'sso_start_url')
  if (web) others.push(p.webIdentityTokenFile ? 'web_identity_token_file' : 'web_identity_token_process')
  if (p.credentialProcess) others.push('credential_process')

  if (p.sourceProfileName) {
    if (others.length > 0) {
      const what = p.roleArn ? `supplies the credentials that assume role_arn` : 'supplies the credentials'
      notes.push(
        `${who}: source_profile "${p.sourceProfileName}" ${what}; ${join(others)} ${others.length > 1 ? 'are' : 'is'} ignored, because aws-vault takes a source_profile before any other credential source`,
      )
    }
  } else {
    if (others.length > 1) {
      notes.push(
        `${who}: ${others[0]} wins over ${join(others.slice(1))} (aws-vault's order: SSO, web identity, credential_process), unless vault holds keys for "${p.name}", which win over all of them`,
      )
    }
    const direct = p.ssoStartUrl ? 'SSO' : web ? undefined : p.credentialProcess ? 'credential_process' : undefined
    if (p.roleArn && direct) {
      notes.push(
        `${who}: role_arn is not assumed: with no source_profile, aws-vault uses the ${direct} credentials as they are (only keys stored in vault for "${p.name}" would assume role_arn); to assume the role with ${direct} credentials, move ${direct === 'SSO' ? 'the sso_* settings' : 'credential_process'} to another profile and name it in source_profile`,
      )
    }
  }
  if (p.webIdentityTokenFile && p.webIdentityTokenProcess) {
    notes.push(`${who}: web_identity_token_file wins over web_identity_token_process, as in aws-vault`)
  }
  return notes
}

function join(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
}
