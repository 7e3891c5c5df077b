import type { AwsCredentials } from '../aws/credentials.js'
import { credentialsFilePath } from '../config/credentials-file.js'
import { readText, removeLeftovers, rewriteWithout, targetOf } from '../config/credentials-rewrite.js'
import { credentialsSections } from '../config/credentials-sections.js'
import { UsageError } from '../errors.js'
import { printable } from '../output/printable.js'
import type { Env } from '../runtime/types.js'
import { checkEntry, shownKeyId } from '../stores/entry-gate.js'
import { sameKeys, writeVerified } from '../stores/verified-write.js'

/** What import touches: the environment (for the file's path), the key store, and stdout. */
export interface ImportDeps {
  env: Env
  homedir: string
  keys(): Promise<{
    get(profile: string): Promise<AwsCredentials | null>
    set(profile: string, creds: AwsCredentials): Promise<void>
  }>
  streams: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } }
}

export interface ImportRequest {
  dryRun: boolean
  /** Overwrite keys a profile already holds in vault. */
  force: boolean
  /** Also delete sections holding session tokens (aws-mfa's short-term sections). */
  removeSessions: boolean
}

export type ImportOutcome =
  | 'moved'
  | 'would move'
  | 'conflict'
  | 'session left'
  | 'session removed'
  | 'incomplete'
  // --from aws-vault: aws-vault's store is read, never changed.
  | 'copied'
  | 'would copy'
  /** vault already holds these very keys. */
  | 'unchanged'
  | 'skipped'
  /** The gate (entry-gate.ts) refused the name or the keys; the item stays where it was. */
  | 'refused'
  /** The item could not be read (damaged, not an aws-vault item); the rest is imported. */
  | 'unreadable'

export interface ImportResult {
  /** Where it came from: the credentials file section, or what aws-vault's item is. */
  section: string
  profile: string
  /** Masked. */
  accessKeyId: string
  outcome: ImportOutcome
}

/**
 * `vault import`: moves the plaintext keys of the shared credentials file into the backend.
 * Nothing is lost if vault is killed at any point: each key is written to the backend and read
 * back before its section is taken out of the file, one section per rewrite, and the file is
 * replaced by rename (never truncated). A run cut short is completed by running it again: keys
 * already in the backend are taken out of the file without a conflict. A symlinked file (stow,
 * yadm) is rewritten at its target, the link kept: replacing the link would leave the keys in the
 * target. Names and keys pass the same gate as `vault add`; a refused section stays in the file.
 */
export async function importCredentials(deps: ImportDeps, req: ImportRequest): Promise<ImportResult[]> {
  const path = credentialsFilePath(deps.env, deps.homedir)
  const target = await targetOf(path)
  // A run killed between writing a new file and renaming it left one behind: a subset of the file.
  if (!req.dryRun) await removeLeftovers(target)
  const keys = await deps.keys()
  const results: ImportResult[] = []
  const report = (r: ImportResult) => {
    results.push(r)
    deps.streams.stdout.write(resultLine(r))
  }
  for (const s of credentialsSections(await readText(target, path))) {
    const masked = s.accessKeyId ? shownKeyId(s.accessKeyId) : '-'
    const base = { section: s.section, profile: s.profile, accessKeyId: masked }
    if (s.sessionToken) {
      if (!req.removeSessions || req.dryRun) {
        report({ ...base, outcome: req.removeSessions ? 'session removed' : 'session left' })
        continue
      }
      await rewriteWithout(target, path, s.section)
      report({ ...base, outcome: 'session removed' })
      continue
    }
    if (!s.accessKeyId || !s.secretAccessKey) {
      report({ ...base, outcome: 'incomplete' })
      continue
    }
    const creds = { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey }
    const refusal = gate(s.profile, creds, deps.streams.stderr)
    if (refusal) {
      report({ ...base, outcome: 'refused' })
      continue
    }
    const stored = await keys.get(s.profile)
    const same = stored !== null && sameKeys(stored, creds)
    if (stored && !same && !req.force) {
      report({ ...base, outcome: 'conflict' })
      continue
    }
    if (req.dryRun) {
      report({ ...base, outcome: 'would move' })
      continue
    }
    if (!same) {
      const place = { backend: 'the backend', untouched: `${path} is unchanged for it`, rerun: 'vault import' }
      await writeVerified(keys, s.profile, creds, place)
    }
    await rewriteWithout(target, path, s.section)
    report({ ...base, outcome: 'moved' })
  }
  return results
}

/**
 * checkEntry for an import: its warnings, or why it refused, on stderr (names escaped, keys masked,
 * never a secret); true when refused. The same gate as `vault add` and `vault migrate-backend`.
 */
export function gate(profile: string, creds: AwsCredentials, stderr: { write(s: string): unknown }): boolean {
  try {
    for (const w of checkEntry(profile, creds)) stderr.write(`vault: warning: profile "${printable(profile)}": ${w}\n`)
    return false
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    stderr.write(`vault: refused: ${err.message}; it is left where it is\n`)
    return true
  }
}

/** One line of stdout per item: outcome, profile, masked key, origin; control characters escaped. */
export function resultLine(r: ImportResult): string {
  return `${r.outcome.padEnd(15)} ${printable(r.profile).padEnd(16)} ${printable(r.accessKeyId)}  [${printable(r.section)}]\n`
}
