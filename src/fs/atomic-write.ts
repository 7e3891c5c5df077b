import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Temp files start with this; listings skip them, so a write cut short never shows as an item. */
export const TEMP_PREFIX = '.vault-tmp-'

/**
 * Write `data` to `path` so that a reader (or a crash) sees the old content or the new, never a
 * part: write a private temp file in the same directory, flush it to disk, then rename over.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  // node:crypto is loaded on write: readers (every cache hit) load this module but never write.
  const { randomBytes } = await import('node:crypto')
  const tmp = join(dirname(path), `${TEMP_PREFIX}${basename(path).slice(0, 32)}-${randomBytes(6).toString('hex')}`)
  try {
    const file = await open(tmp, 'wx', mode)
    try {
      await file.writeFile(data)
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}
