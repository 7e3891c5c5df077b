import type { AwsCredentials } from '../aws/credentials.js'
import { NotFoundError, StoreError, UsageError } from '../errors.js'
import { printable } from '../output/printable.js'
import { checkEntry, shownKeyId } from '../stores/entry-gate.js'
import { sameKeys, writeVerified } from '../stores/verified-write.js'

/** The long-term keys of one backend, as CredentialStore keeps them. */
export interface KeyStore {
  list(): Promise<string[]>
  get(profile: string): Promise<AwsCredentials | null>
  set(profile: string, creds: AwsCredentials): Promise<void>
  remove(profile: string): Promise<boolean>
}

/** What `vault migrate-backend` touches: the two backends' keys, and the streams. */
export interface MigrateDeps {
  from: { name: string; keys(): Promise<KeyStore> }
  to: { name: string; keys(): Promise<KeyStore> }
  streams: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } }
}

export interface MigrateRequest {
  /** Only this profile; else every profile with keys in the source. */
  profile?: string
  dryRun: boolean
  /** Replace keys the target holds for a profile; else such a profile is skipped. */
  overwrite: boolean
  /** Delete each key from the source once the target holds it, read back and compared. */
  deleteSource: boolean
}

export type MigrateOutcome =
  | 'copied'
  | 'overwritten'
  /** The target already holds these very keys. */
  | 'unchanged'
  /** The target holds other keys, and --overwrite was not given. */
  | 'skipped'
  | 'would copy'
  | 'would overwrite'
  /** The gate (entry-gate.ts) refused the name or the keys. */
  | 'refused'
  | 'unreadable'

export interface MigrateResult {
  profile: string
  /** Masked. */
  accessKeyId: string
  outcome: MigrateOutcome
  deleted: boolean
}

/**
 * `vault migrate-backend` (ByteNess aws-vault cli/migrate_backend.go): copies long-term keys from
 * one of vault's backends to another. Sessions and SSO tokens are not moved (ByteNess moves only
 * credentials; vault makes new ones). Crash-safe: each key is written to the target and read back
 * before it is reported, and deleted from the source (with --delete-source) only after that, so a
 * kill at any point leaves every key in the source, the target, or both. A rerun finishes the job:
 * a key the target already holds is "unchanged", and then deleted from the source if asked.
 * Every key passes the same gate as `vault add` and `vault import`.
 */
export async function migrateBackend(deps: MigrateDeps, req: MigrateRequest): Promise<MigrateResult[]> {
  if (deps.from.name === deps.to.name) {
    throw new UsageError(`--from and --to are both "${deps.from.name}": the backends must differ`)
  }
  const source = await deps.from.keys()
  const profiles = await profilesToMove(source, req.profile, deps.from.name)
  const target = await deps.to.keys()
  const results: MigrateResult[] = []
  const report = (r: MigrateResult) => {
    results.push(r)
    deps.streams.stdout.write(
      `${r.outcome.padEnd(15)} ${printable(r.profile).padEnd(16)} ${r.accessKeyId}${r.deleted ? '  deleted from source' : ''}\n`,
    )
  }
  for (const profile of profiles) {
    let creds: AwsCredentials | null
    try {
      creds = await source.get(profile)
    } catch (err) {
      if (!(err instanceof StoreError) || ['passphrase', 'locked', 'timeout'].includes(err.reason)) throw err
      deps.streams.stderr.write(`vault: cannot read the keys of "${printable(profile)}", skipped: ${err.message}\n`)
      report({ profile, accessKeyId: '-', outcome: 'unreadable', deleted: false })
      continue
    }
    if (!creds) continue // removed since the listing
    const base = { profile, accessKeyId: shownKeyId(creds.accessKeyId), deleted: false }
    try {
      for (const w of checkEntry(profile, creds)) {
        deps.streams.stderr.write(`vault: warning: profile "${printable(profile)}": ${w}\n`)
      }
    } catch (err) {
      if (!(err instanceof UsageError)) throw err
      deps.streams.stderr.write(`vault: refused: ${err.message}; it is left in the ${deps.from.name} backend\n`)
      report({ ...base, outcome: 'refused' })
      continue
    }
    const existing = await target.get(profile)
    const same = existing !== null && sameKeys(existing, creds)
    if (existing && !same && !req.overwrite) {
      report({ ...base, outcome: 'skipped' })
      continue
    }
    if (req.dryRun) {
      report({ ...base, outcome: same ? 'unchanged' : existing ? 'would overwrite' : 'would copy' })
      continue
    }
    const place = { backend: `the ${deps.to.name} backend`, untouched: 'the source still holds them' }
    if (!same) await writeVerified(target, profile, creds, { ...place, rerun: 'vault migrate-backend' })
    const deleted = req.deleteSource && (await source.remove(profile))
    report({ ...base, outcome: same ? 'unchanged' : existing ? 'overwritten' : 'copied', deleted })
  }
  summarize(deps, req, results)
  return results
}

async function profilesToMove(source: KeyStore, profile: string | undefined, from: string): Promise<string[]> {
  if (profile === undefined) return source.list()
  if (!(await source.get(profile))) {
    throw new NotFoundError(
      `no keys for profile "${printable(profile)}" in the ${from} backend`,
      `see what it holds with: vault list --credentials --backend ${from}`,
    )
  }
  return [profile]
}

function summarize(deps: MigrateDeps, req: MigrateRequest, results: MigrateResult[]): void {
  const count = (...outcomes: MigrateOutcome[]) => results.filter((r) => outcomes.includes(r.outcome)).length
  const deleted = results.filter((r) => r.deleted).length
  const from = deps.from.name
  const to = deps.to.name
  if (results.length === 0) {
    deps.streams.stderr.write(`vault migrate-backend: no credentials found in the ${from} backend\n`)
    return
  }
  if (req.dryRun) {
    deps.streams.stderr.write(
      `vault migrate-backend: would migrate ${count('would copy', 'would overwrite')} of ${results.length} profile${results.length === 1 ? '' : 's'} from ${from} to ${to}; no changes made\n`,
    )
    return
  }
  const skipped = count('skipped')
  deps.streams.stderr.write(
    `vault migrate-backend: ${from} to ${to}: copied ${count('copied')}, overwritten ${count('overwritten')}, unchanged ${count('unchanged')}, skipped ${skipped}, refused or unreadable ${count('refused', 'unreadable')}, deleted from source ${deleted}${skipped ? '; --overwrite replaces the keys the target holds' : ''}\n`,
  )
}
