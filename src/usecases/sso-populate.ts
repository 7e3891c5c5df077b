import { ConfigFile, configFilePath } from '../config/config-file.js'
import { addProfileSection } from '../config/write.js'
import { ConfigError } from '../errors.js'
import { printable } from '../output/printable.js'
import { type SsoContextDeps, ssoContext } from '../sso/sso-context.js'
import { ssoTarget } from '../vault/sso/sso-port.js'
import { tokenSource } from '../vault/sso/token-source.js'
import { ssoSessionOf } from '../vault/sso-provider.js'
import type { Ports } from './ports.js'

export interface PopulateRequest {
  session: string
  /** `region` of the new profiles; the session's sso_region when unset. */
  region?: string
  dryRun: boolean
  noBrowser?: boolean
}

export interface PlannedProfile {
  name: string
  values: Record<string, string>
  /** False when a section of that name is already in the config (it is left as it is). */
  added: boolean
}

/** The config (read, then appended to), and a signed-in SSO session. */
export type PopulateDeps = SsoContextDeps & Pick<Ports, 'env' | 'homedir' | 'log' | 'clock' | 'lock'>

/**
 * `vault sso populate SESSION`: one `[profile ACCOUNT-ROLE]` per account and role the signed-in
 * user can reach (ListAccounts, then ListAccountRoles per account), appended to ~/.aws/config.
 * Existing sections are never touched: a name already taken is reported and skipped.
 * Names are the account name (or id) and the role name, with anything but letters, digits, `.`,
 * `_` and `-` turned into `-`; two accounts of the same name get their ids instead.
 */
export async function populateSso(rt: PopulateDeps, req: PopulateRequest): Promise<PlannedProfile[]> {
  const path = configFilePath(rt.env, rt.homedir)
  const config = await ConfigFile.load(path, rt.log)
  const section = config.ssoSession(req.session)
  if (!section)
    throw new ConfigError(
      `there is no [sso-session ${req.session}] section in ${path}`,
      'add one with sso_start_url and sso_region',
    )
  const session = ssoSessionOf({
    name: req.session,
    ssoSession: req.session,
    ssoStartUrl: section.values.sso_start_url,
    ssoRegion: section.values.sso_region,
    ssoRegistrationScopes: section.values.sso_registration_scopes,
  })
  const target = ssoTarget(session.region, rt.env)
  const sso = ssoContext(rt, { noBrowser: req.noBrowser })
  const tokens = tokenSource(
    { ...sso, oidc: sso.ports.oidc(target), clock: rt.clock, log: rt.log, lock: rt.lock },
    session,
  )
  const portal = sso.ports.portal(target)
  const { accessToken } = await tokens.get()
  const accounts = await portal.listAccounts(accessToken)
  const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '')
  const nameCount = new Map<string, number>()
  for (const a of accounts)
    if (a.accountName) nameCount.set(slug(a.accountName), (nameCount.get(slug(a.accountName)) ?? 0) + 1)
  const planned: PlannedProfile[] = []
  for (const account of accounts.sort((a, b) =>
    (a.accountName ?? a.accountId).localeCompare(b.accountName ?? b.accountId),
  )) {
    const named =
      account.accountName && nameCount.get(slug(account.accountName)) === 1
        ? slug(account.accountName)
        : account.accountId
    for (const role of (await portal.listAccountRoles(accessToken, account.accountId)).sort()) {
      const name = `${named}-${slug(role)}`
      const values = {
        sso_session: req.session,
        sso_account_id: account.accountId,
        sso_role_name: role,
        region: req.region ?? session.region,
      }
      planned.push({ name, values, added: !config.hasProfile(name) })
    }
  }
  if (!req.dryRun) for (const p of planned) if (p.added) await addProfileSection(path, p.name, p.values)
  return planned
}

/** The sections as they are (or would be) appended. */
export function renderPlanned(planned: PlannedProfile[]): string {
  return planned
    .filter((p) => p.added)
    .map(
      (p) =>
        `[profile ${printable(p.name)}]\n${Object.entries(p.values)
          .map(([k, v]) => `${k} = ${printable(v)}\n`)
          .join('')}`,
    )
    .join('\n')
}
