import type { AwsVaultSource } from '../aws-vault/stores.js'
import { StoreError, UsageError } from '../errors.js'
import { printable } from '../output/printable.js'
import type { Env, Logger } from '../runtime/types.js'
import { checkEntryName, shownKeyId } from '../stores/entry-gate.js'
import { goString, parseJson } from '../stores/go-json.js'
import type { SecretItem, SecretStore } from '../stores/secret-store.js'
import { isOldSessionKey, OIDC_PREFIX, parseSessionKey } from '../stores/session-key.js'
import type { AwsCredentials } from '../vault/credentials.js'
import { gate, type ImportResult, resultLine, sameKeys } from './import.js'

/** What `vault import --from aws-vault` touches. */
export interface AwsVaultImportDeps {
  env: Env
  homedir: string
  platform: NodeJS.Platform
  log: Logger
  passphrase(dir: string): Promise<string>
  keys(): Promise<{
    get(profile: string): Promise<AwsCredentials | null>
    set(profile: string, creds: AwsCredentials): Promise<void>
  }>
  store(): Promise<SecretStore>
  streams: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } }
  /** aws-vault's store behind its `--backend name`; tests pass a fake. Default: openAwsVaultSource. */
  awsVaultStore?(name: string): Promise<AwsVaultSource>
}

export interface AwsVaultImportRequest {
  dryRun: boolean
  force: boolean
  /** --from-backend; else AWS_VAULT_BACKEND, else the platform's default, as aws-vault picks. */
  backend?: string
  /** --secret-service-collection: aws-vault's collection, else "awsvault". */
  collection?: string
}

/**
 * Copies aws-vault's long-term keys from its own store into vault's backend. Each key is written
 * and read back before it is reported copied. aws-vault's store is only read: the user may keep
 * using aws-vault, and its items stay encrypted where they are. Cached sessions and SSO tokens
 * are skipped (vault makes its own). A rerun is harmless: keys vault already holds are unchanged.
 */
export async function importFromAwsVault(
  deps: AwsVaultImportDeps,
  req: AwsVaultImportRequest,
): Promise<ImportResult[]> {
  const { defaultBackend } = await import('../stores/backend.js')
  const name = req.backend || deps.env.AWS_VAULT_BACKEND || defaultBackend(deps.platform)
  const source = deps.awsVaultStore
    ? await deps.awsVaultStore(name)
    : await import('../aws-vault/stores.js').then(({ openAwsVaultSource }) =>
        openAwsVaultSource(name, {
          env: deps.env,
          homedir: deps.homedir,
          logger: deps.log,
          passphrase: (dir) => deps.passphrase(dir),
          collection: req.collection,
        }),
      )
  try {
    if (source.isSameAs(await deps.store())) {
      deps.streams.stderr.write(
        `vault import: nothing to import: vault's backend is ${source.where}, so vault already uses aws-vault's keys\n`,
      )
      return []
    }
    return await copyAll(deps, req, source)
  } finally {
    source.close()
  }
}

async function copyAll(deps: AwsVaultImportDeps, req: AwsVaultImportRequest, source: AwsVaultSource) {
  const keys = await deps.keys()
  const results: ImportResult[] = []
  const report = (r: ImportResult) => {
    results.push(r)
    deps.streams.stdout.write(resultLine(r))
  }
  for (const key of await source.keys()) {
    const skipped = nonCredential(key)
    if (skipped) {
      report({ section: skipped.what, profile: skipped.profile, accessKeyId: '-', outcome: 'skipped' })
      continue
    }
    try {
      checkEntryName(key)
    } catch (err) {
      if (!(err instanceof UsageError)) throw err
      deps.streams.stderr.write(`vault: refused: ${err.message}; it is left in ${source.where}\n`)
      report({ section: 'keys', profile: key, accessKeyId: '-', outcome: 'refused' })
      continue
    }
    let item: SecretItem | null
    try {
      item = await source.get(key)
    } catch (err) {
      if (storeWide(err)) throw err
      // One damaged item (an empty file, a link to /etc/passwd, a pass entry gpg cannot open or
      // that is not JSON) says nothing about the others (issue 28: it aborted the whole import).
      deps.streams.stderr.write(
        `vault: cannot read aws-vault's item "${printable(key)}", skipped: ${printable((err as Error).message)}\n`,
      )
      report({ section: 'keys', profile: key, accessKeyId: '-', outcome: 'unreadable' })
      continue
    }
    if (!item) continue // removed from aws-vault's store since the listing
    const creds = credentialsOf(item.data)
    const base = { section: 'keys', profile: key, accessKeyId: creds ? shownKeyId(creds.accessKeyId) : '-' }
    if (!creds) {
      report({ ...base, outcome: 'incomplete' })
      continue
    }
    if (creds.sessionToken) {
      report({ ...base, section: 'session', outcome: 'skipped' })
      continue
    }
    if (gate(key, creds, deps.streams.stderr)) {
      report({ ...base, outcome: 'refused' })
      continue
    }
    const stored = await keys.get(key)
    if (stored && sameKeys(stored, creds)) {
      report({ ...base, outcome: 'unchanged' })
      continue
    }
    if (stored && !req.force) {
      report({ ...base, outcome: 'conflict' })
      continue
    }
    if (req.dryRun) {
      report({ ...base, outcome: 'would copy' })
      continue
    }
    const wanted = { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }
    await keys.set(key, wanted)
    const back = await keys.get(key)
    if (!back || !sameKeys(back, wanted)) {
      throw new StoreError(
        `profile "${key}": the keys read back from vault's backend differ from those written`,
        'corrupt',
        'check the backend, then run vault import --from aws-vault again',
      )
    }
    report({ ...base, outcome: 'copied' })
  }
  const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length
  const conflicts = count('conflict')
  const passed = count('refused') + count('unreadable')
  deps.streams.stderr.write(
    `vault import: ${req.dryRun ? 'nothing changed (dry run); ' : ''}${count('copied')} of ${results.length} item${results.length === 1 ? '' : 's'} copied from ${source.where}, which is left as it was${conflicts ? `; ${conflicts} conflict${conflicts === 1 ? '' : 's'}: --force replaces the keys vault holds` : ''}${passed ? `; ${passed} refused or unreadable, see above` : ''}\n`,
  )
  return results
}

/** A failure of the whole store, not of one item: going on would fail the same way for each. */
function storeWide(err: unknown): boolean {
  return err instanceof StoreError && ['passphrase', 'locked', 'timeout'].includes(err.reason)
}

/** aws-vault's cached sessions and SSO tokens (vault/sessionkeyring.go, oidctokenkeyring.go). */
function nonCredential(key: string): { profile: string; what: string } | undefined {
  const session = parseSessionKey(key)
  if (session) return { profile: session.profile, what: `session ${session.type}` }
  if (key.startsWith(OIDC_PREFIX)) return { profile: key.slice(OIDC_PREFIX.length), what: 'SSO token' }
  if (isOldSessionKey(key)) return { profile: key, what: 'old session' }
  return undefined
}

/** aws-vault's item data: json.Marshal(aws.Credentials), matched as json.Unmarshal matches fields. */
function credentialsOf(data: string): (AwsCredentials & { sessionToken?: string }) | undefined {
  const obj = parseJson(data)
  const accessKeyId = goString(obj, 'AccessKeyID')
  const secretAccessKey = goString(obj, 'SecretAccessKey')
  if (!accessKeyId || !secretAccessKey) return undefined
  return { accessKeyId, secretAccessKey, sessionToken: goString(obj, 'SessionToken') || undefined }
}

/** --from-backend without --from aws-vault, or --remove-sessions with it. */
export function checkImportFlags(from: string, flags: { fromBackend?: string; removeSessions: boolean }): void {
  if (from !== 'aws-vault' && flags.fromBackend) {
    throw new UsageError('--from-backend applies to --from aws-vault only')
  }
  if (from === 'aws-vault' && flags.removeSessions) {
    throw new UsageError(
      '--remove-sessions applies to the credentials file only',
      "aws-vault's cached sessions are skipped, and its store is left as it is",
    )
  }
}
