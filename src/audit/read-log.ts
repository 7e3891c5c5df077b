import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import type { AuditRecord } from './record.js'

/** A line `vault log` could not use: where, and why. */
export interface Skipped {
  file: string
  /** 1-based line number. */
  line: number
  why: 'incomplete' | 'unreadable'
}

/** A log file bigger than this is not a log vault wrote: read its last part only. */
const MAX_FILE_BYTES = 256 * 1024 * 1024

/**
 * The records in `text` (one file's content). A last line without its newline is a record whose
 * write was cut short (vault killed mid-write, a full disk): it is skipped and reported, as is
 * any line that is not a record, so one bad line never hides the others.
 */
export function parseRecords(text: string, file: string): { records: AuditRecord[]; skipped: Skipped[] } {
  const records: AuditRecord[] = []
  const skipped: Skipped[] = []
  const lines = text.split('\n')
  const last = lines.pop() ?? ''
  lines.forEach((line, i) => {
    if (line === '') return
    const record = parseRecord(line)
    if (record) records.push(record)
    else skipped.push({ file, line: i + 1, why: 'unreadable' })
  })
  if (last !== '') skipped.push({ file, line: lines.length + 1, why: 'incomplete' })
  return { records, skipped }
}

function parseRecord(line: string): AuditRecord | undefined {
  try {
    const value = JSON.parse(line) as AuditRecord
    if (value && typeof value === 'object' && typeof value.time === 'string' && typeof value.kind === 'string')
      return value
  } catch {}
  return undefined
}

/** One file's bytes from `offset` (regular files only); undefined when it is missing or not a file. */
export function readFrom(
  file: string,
  offset = 0,
): { text: string; end: number; ino: number; size: number } | undefined {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return undefined
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) return undefined
    const start = Math.max(offset, st.size - MAX_FILE_BYTES)
    const length = Math.max(0, st.size - start)
    const buf = Buffer.alloc(length)
    let got = 0
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, start + got)
      if (n === 0) break
      got += n
    }
    return { text: buf.subarray(0, got).toString('utf8'), end: start + got, ino: st.ino, size: st.size }
  } finally {
    closeSync(fd)
  }
}

/** Every record in `files` (oldest file first), sorted by time; what was skipped, by file. */
export function readLog(files: string[]): { records: AuditRecord[]; skipped: Skipped[] } {
  const records: AuditRecord[] = []
  const skipped: Skipped[] = []
  for (const file of files) {
    const got = readFrom(file)
    if (!got) continue
    const parsed = parseRecords(got.text, file)
    records.push(...parsed.records)
    skipped.push(...parsed.skipped)
  }
  // A writer that held a file while it was rotated appends there: order by time, not by file.
  records.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0))
  return { records, skipped }
}
