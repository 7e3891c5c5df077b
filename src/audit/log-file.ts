import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'
import type { HandOut, HandOutSink } from '../vault/hand-out.js'
import { buildRecord, recordLine } from './record.js'
import { LOG_ENV, type LogSettings } from './settings.js'

export interface HandOutLogOptions {
  /** The settings, read on the first hand-out; undefined: the log is off. */
  settings(): { settings?: LogSettings; problem?: string }
  now(): Date
  /** vault's version, read on the first hand-out. */
  version(): string
  /** One line for stderr (the `vault: warning: …` prefix included by the caller). */
  warn(message: string): void
}

/**
 * The hand-out log's writer: one JSON line per hand-out, appended with ONE write(2) to a file
 * opened O_APPEND, 0600, in a 0700 directory. POSIX makes each such write land whole at the end
 * of a regular file, so concurrent vault processes never interleave or overwrite records, and a
 * process killed mid-write leaves at most one incomplete last line (`vault log` skips it).
 *
 * Nothing is opened until the first hand-out: a cache hit pays for an open and a write, no more.
 * A failure (full disk, read-only directory) never fails the hand-out: it is one warning on
 * stderr per process, and the log is left alone for the rest of it.
 */
export function handOutLog(o: HandOutLogOptions): HandOutSink {
  let state: Open | 'off' | undefined
  const fail = (what: string, err: unknown) => {
    if (state !== undefined && state !== 'off') closeQuietly(state.fd)
    state = 'off'
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    o.warn(`could not write the hand-out log (${what}): ${reason}; set ${LOG_ENV}=off to turn it off`)
  }
  const open = (): Open | 'off' => {
    const { settings, problem } = o.settings()
    if (problem) o.warn(problem)
    if (!settings) return 'off'
    try {
      return { settings, fd: openLog(settings.path) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        fail(settings.path, err)
        return 'off'
      }
    }
    // The first hand-out ever: make the directory (a hit pays for it once, not on every run).
    try {
      mkdirSync(dirname(settings.path), { recursive: true, mode: 0o700 })
      return { settings, fd: openLog(settings.path) }
    } catch (err) {
      fail(settings.path, err)
      return 'off'
    }
  }
  return {
    record(h: HandOut) {
      state ??= open()
      const s = state
      if (s === 'off') return
      let line: string
      try {
        line = recordLine(buildRecord(h, o.now(), o.version()))
      } catch (err) {
        return fail('building the record', err)
      }
      const bytes = Buffer.byteLength(line)
      let size = 0
      try {
        size = fstatSync(s.fd).size
      } catch {}
      if (size > 0 && size + bytes > s.settings.maxBytes) {
        return rotate(s.settings, s.fd, bytes).then(
          (fd) => {
            s.fd = fd
            write(s, line)
          },
          // Rotation failed (the lock timed out, a rename was refused): a big file beats a lost record.
          () => write(s, line),
        )
      }
      write(s, line)
    },
  }

  function write(s: Open, line: string): void {
    try {
      const buf = Buffer.from(line)
      const n = writeSync(s.fd, buf)
      // A short write on a regular file means the disk filled mid-record: the line is torn.
      if (n !== buf.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' })
    } catch (err) {
      fail(s.settings.path, err)
    }
  }
}

interface Open {
  settings: LogSettings
  fd: number
}

/** Opens (creating 0600) for appending; a file made wider by hand is narrowed to 0600 again. */
function openLog(path: string): number {
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600)
  try {
    const st = fstatSync(fd)
    if (st.isFile() && (st.mode & 0o077) !== 0) fchmodSync(fd, 0o600)
  } catch {}
  return fd
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {}
}

/**
 * Rotation under vault's file lock: path.(k) → path.(k+1) for the kept files, path → path.1, a
 * new path. Only the process whose open file is still the one at `path`, still too big, rotates;
 * the others find it rotated and reopen. A writer still holding the old file appends its record
 * there (now path.1), which `vault log` reads too: no record is lost. Resolves the fd to write to.
 */
async function rotate(s: LogSettings, fd: number, incoming: number): Promise<number> {
  // Most writers that find the file full find it already rotated: reopen, no lock needed.
  if (!isOpenAt(fd, s.path)) {
    closeQuietly(fd)
    return openLog(s.path)
  }
  const { acquireFileLock } = await import('../lock/file-lock.js')
  const release = await acquireFileLock({
    path: `${s.path}.rotate`,
    name: 'the hand-out log',
    waitMs: 10_000,
  })
  try {
    if (isOpenAt(fd, s.path) && statSync(s.path).size + incoming > s.maxBytes) {
      // At least one old file is kept (settings.ts): a writer still appending to the file being
      // rotated must find it renamed, not unlinked.
      for (let i = s.keep - 1; i >= 1; i--) renameQuietly(`${s.path}.${i}`, `${s.path}.${i + 1}`)
      renameSync(s.path, `${s.path}.1`)
    }
    closeQuietly(fd)
    return openLog(s.path)
  } finally {
    await release?.()
  }
}

/** Whether `fd` is the file at `path` now (the open fd keeps its inode from being reused). */
function isOpenAt(fd: number, path: string): boolean {
  try {
    const mine = fstatSync(fd)
    const current = statSync(path)
    return current.ino === mine.ino && current.dev === mine.dev
  } catch {
    return false
  }
}

function renameQuietly(from: string, to: string): void {
  try {
    renameSync(from, to)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}
