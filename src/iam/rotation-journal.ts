import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../fs/atomic-write.js'
import { fileCaps, readBoundedText } from '../fs/read-file.js'
import { encodeFileName } from '../stores/file-names.js'

/**
 * What a rotation in progress has done, written before CreateAccessKey, written again with the new
 * key's id as soon as AWS returns it, and removed once the old key is deleted (or the new one
 * undone). A rotation killed in between leaves it, and the next `vault rotate` of the profile
 * reads it to finish or undo that rotation. It holds access key ids (identifiers, not secrets),
 * never a secret key.
 */
export interface RotationEntry {
  userName: string
  /** The key being rotated away from. */
  oldKeyId: string
  /**
   * The key this rotation created: the only key recovery ever deletes (issue 28). Absent when the
   * rotation was killed before AWS answered CreateAccessKey, or its answer was journaled.
   */
  createdKeyId?: string
}

export interface RotationJournal {
  read(holder: string): Promise<RotationEntry | undefined>
  write(holder: string, entry: RotationEntry): Promise<void>
  remove(holder: string): Promise<void>
}

/** One file per profile in `dir` (~/.awsvault/rotations), 0600 in a 0700 folder, replaced atomically. */
export function fileRotationJournal(dir: string): RotationJournal {
  const path = (holder: string) => join(dir, `${encodeFileName(holder)}.json`)
  return {
    async read(holder) {
      let text: string
      try {
        text = await readBoundedText(path(holder), { maxBytes: fileCaps.item, noFollow: true })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw err
      }
      return parseEntry(text)
    },
    async write(holder, entry) {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      await writeFileAtomic(path(holder), JSON.stringify(entry))
    },
    async remove(holder) {
      await rm(path(holder), { force: true })
    },
  }
}

/**
 * An entry that is not one (edited by hand) is ignored: rotation starts afresh. An entry of an
 * earlier vault (`keysBefore`, no `createdKeyId`) names no created key, so nothing is deleted.
 */
function parseEntry(text: string): RotationEntry | undefined {
  try {
    const v = JSON.parse(text) as Partial<RotationEntry>
    if (typeof v.userName === 'string' && typeof v.oldKeyId === 'string') {
      const created = typeof v.createdKeyId === 'string' ? { createdKeyId: v.createdKeyId } : {}
      return { userName: v.userName, oldKeyId: v.oldKeyId, ...created }
    }
  } catch {}
  return undefined
}

/** A journal that keeps entries in memory, for tests and for callers without a home. */
export function memoryRotationJournal(): RotationJournal & { entries: Map<string, RotationEntry> } {
  const entries = new Map<string, RotationEntry>()
  return {
    entries,
    read: async (holder) => entries.get(holder),
    write: async (holder, entry) => void entries.set(holder, entry),
    remove: async (holder) => void entries.delete(holder),
  }
}
