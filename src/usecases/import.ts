import { open, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { credentialsFilePath } from '../config/credentials-file.js'
import { credentialsSections, withoutSection } from '../config/credentials-sections.js'
import { NotFoundError, StoreError } from '../errors.js'
import { printable } from '../output/printable.js'
import type { Env } from '../runtime/types.js'
import type { AwsCredentials } from '../vault/credentials.js'
import { maskKey } from '../vault/credentials.js'

/** What import touches: the environment (for the file's path), the key store, and stdout. */
export interface ImportDeps {
  env: Env
  homedir: string
  keys(): Promise<{
    get(profile: string): Promise<AwsCredentials | null>
    set(profile: string, creds: AwsCredentials): Promise<void>
  }>
  streams: { stdout: { write(s: string): unknown } }
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
 * already in the backend are taken out of the file without a conflict.
 */
export async function importCredentials(deps: ImportDeps, req: ImportRequest): Promise<ImportResult[]> {
  const path = credentialsFilePath(deps.env, deps.homedir)
  const temp = join(dirname(path), `.${basename(path)}.vault-import`)
  // A run killed between writing the new file and renaming it left this behind: a subset of the file.
  if (!req.dryRun) await rm(temp, { force: true })
  const keys = await deps.keys()
  const results: ImportResult[] = []
  const report = (r: ImportResult) => {
    results.push(r)
    deps.streams.stdout.write(resultLine(r))
  }
  for (const s of credentialsSections(await readText(path))) {
    const masked = s.accessKeyId ? maskKey(s.accessKeyId) : '-'
    const base = { section: s.section, profile: s.profile, accessKeyId: masked }
    if (s.sessionToken) {
      if (!req.removeSessions || req.dryRun) {
        report({ ...base, outcome: req.removeSessions ? 'session removed' : 'session left' })
        continue
      }
      await rewrite(path, temp, s.section)
      report({ ...base, outcome: 'session removed' })
      continue
    }
    if (!s.accessKeyId || !s.secretAccessKey) {
      report({ ...base, outcome: 'incomplete' })
      continue
    }
    const creds = { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey }
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
      await keys.set(s.profile, creds)
      const back = await keys.get(s.profile)
      if (!back || !sameKeys(back, creds)) {
        throw new StoreError(
          `profile "${s.profile}": the keys read back from the backend differ from those written; ${path} is unchanged for it`,
          'corrupt',
          'check the backend, then run vault import again',
        )
      }
    }
    await rewrite(path, temp, s.section)
    report({ ...base, outcome: 'moved' })
  }
  return results
}

/** One line of stdout per item: outcome, profile, masked key, origin. */
export function resultLine(r: ImportResult): string {
  return `${r.outcome.padEnd(15)} ${printable(r.profile).padEnd(16)} ${printable(r.accessKeyId)}  [${printable(r.section)}]\n`
}

export function sameKeys(a: AwsCredentials, b: AwsCredentials): boolean {
  return a.accessKeyId === b.accessKeyId && a.secretAccessKey === b.secretAccessKey
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`no credentials file at ${path}`, 'set AWS_SHARED_CREDENTIALS_FILE to its path')
    }
    throw err
  }
}

/**
 * Takes `[section]`'s keys out of the file as it is now: written to a 0600 temp file beside it,
 * flushed, then renamed over it, so the file is always whole, old or new.
 */
async function rewrite(path: string, temp: string, section: string): Promise<void> {
  const next = withoutSection(await readText(path), section)
  const file = await open(temp, 'w', 0o600)
  try {
    await file.chmod(0o600)
    await file.writeFile(next)
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, path)
}
