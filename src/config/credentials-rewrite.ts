import { open, readdir, realpath, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ConfigError, NotFoundError } from '../errors.js'
import { fileCaps, readBoundedText } from '../fs/read-file.js'
import { withoutSection } from './credentials-sections.js'

// Another process (a second `vault import`, an editor) may rewrite the file between our read and
// our rename: re-read, and start again this often.
const ATTEMPTS = 5
// A leftover whose writer's pid is alive is left alone, unless it is this old: the pid was reused.
const LEFTOVER_AGE_MS = 3600_000

/**
 * The file behind `path`: a symlinked credentials file (stow, yadm) is rewritten at its target,
 * the link kept. Renaming over the link would replace it with a plain file and leave every key
 * in the target, which may sit in a git repository (issue 28).
 */
export async function targetOf(path: string): Promise<string> {
  try {
    return await realpath(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`no credentials file at ${path}`, 'set AWS_SHARED_CREDENTIALS_FILE to its path')
    }
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`, undefined, { cause: err })
  }
}

/** The text of `target`; `shown` is the path the user knows it by, for messages. */
export async function readText(target: string, shown: string): Promise<string> {
  try {
    return await readBoundedText(target, { maxBytes: fileCaps.awsConfig })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`no credentials file at ${shown}`, 'set AWS_SHARED_CREDENTIALS_FILE to its path')
    }
    throw new ConfigError(`cannot read ${shown}: ${(err as Error).message}`, undefined, { cause: err })
  }
}

/** Temp files of this writer: `.credentials.vault-import-PID-RANDOM`, one name per write. */
function tempPrefix(target: string): string {
  return `.${basename(target)}.vault-import`
}

/**
 * Remove what a killed run left beside the file: a copy of part of it, keys included. Only files
 * whose writer is gone (or older than an hour): a concurrent import's temp file is its own.
 */
export async function removeLeftovers(target: string): Promise<void> {
  const dir = dirname(target)
  const prefix = tempPrefix(target)
  const names = await readdir(dir).catch(() => [] as string[])
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    // Older vaults used the bare prefix, one name for every run.
    const pid = Number(/^-(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length))?.[1] ?? 0)
    const path = join(dir, name)
    const old = await stat(path).then(
      (s) => Date.now() - s.mtimeMs > LEFTOVER_AGE_MS,
      () => false,
    )
    if (pid && isAlive(pid) && !old) continue
    await rm(path, { force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes `[section]` out of the file as it is now: the rest written to a 0600 temp file of its own
 * beside the target, flushed, then renamed over it, so the file is always whole, old or new. When
 * the file changed while this was written (another import), the write starts again from it.
 */
export async function rewriteWithout(target: string, shown: string, section: string): Promise<void> {
  const { randomBytes } = await import('node:crypto')
  for (let attempt = 1; ; attempt++) {
    const before = await readText(target, shown)
    const temp = join(dirname(target), `${tempPrefix(target)}-${process.pid}-${randomBytes(6).toString('hex')}`)
    try {
      const file = await open(temp, 'wx', 0o600)
      try {
        await file.chmod(0o600)
        await file.writeFile(withoutSection(before, section))
        await file.sync()
      } finally {
        await file.close()
      }
      if ((await readText(target, shown)) !== before) {
        if (attempt < ATTEMPTS) continue
        throw new ConfigError(`${shown} kept changing while vault was rewriting it`, 'run vault import again')
      }
      await rename(temp, target)
      return
    } finally {
      await rm(temp, { force: true })
    }
  }
}
