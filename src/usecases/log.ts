import { parseRecords, readFrom, readLog, type Skipped } from '../audit/read-log.js'
import { type AuditRecord, HAND_OUT_KINDS } from '../audit/record.js'
import { LOG_ENV, logFiles, logSettings } from '../audit/settings.js'
import { parseDuration } from '../config/duration.js'
import { UsageError } from '../errors.js'
import { printable } from '../output/printable.js'
import type { ObtainStep } from '../vault/hand-out.js'
import type { Ports } from './ports.js'

export interface LogRequest {
  /** A duration back from now (`2h`, `90m`) or a time (`2026-12-06T10:00:00Z`). */
  since?: string
  profile?: string
  kind?: string
  json: boolean
  follow: boolean
}

export type LogDeps = Pick<Ports, 'env' | 'homedir' | 'clock' | 'streams' | 'sleep'>

/** How often --follow looks for new records. */
const followEveryMs = 500

/**
 * `vault log`: the hand-out records, oldest first, across the rotated files, filtered; lines that
 * are not whole records (a write cut short) are skipped and reported on stderr. With `follow`,
 * keeps printing new records until the process is stopped.
 */
export async function showLog(deps: LogDeps, req: LogRequest): Promise<void> {
  const keep = filterOf(req, deps.clock.now())
  const { settings } = logSettings(deps.env, deps.homedir)
  if (!settings) {
    deps.streams.stderr.write(`vault: the hand-out log is off (${LOG_ENV}=${deps.env[LOG_ENV]}); nothing to show\n`)
    return
  }
  const { records, skipped } = readLog(logFiles(settings))
  reportSkipped(deps, skipped)
  const print = (r: AuditRecord) => deps.streams.stdout.write(req.json ? `${JSON.stringify(r)}\n` : renderRow(r))
  const shown = records.filter(keep)
  if (!req.json && (shown.length > 0 || req.follow)) deps.streams.stdout.write(header)
  shown.forEach(print)
  if (!req.follow) return
  // From the end of the current file: a rotation makes a new file, which is read from its start.
  const start = readFrom(settings.path)
  let offset = start?.end ?? 0
  let ino = start?.ino
  let tail = ''
  for (;;) {
    await deps.sleep(followEveryMs)
    let got = readFrom(settings.path, offset)
    if (got && (got.ino !== ino || got.size < offset)) {
      ino = got.ino
      tail = ''
      got = readFrom(settings.path, 0)
    }
    if (!got) continue
    offset = got.end
    const text = tail + got.text
    const cut = text.lastIndexOf('\n') + 1
    tail = text.slice(cut)
    parseRecords(text.slice(0, cut), settings.path).records.filter(keep).forEach(print)
  }
}

function reportSkipped(deps: LogDeps, skipped: Skipped[]): void {
  for (const s of skipped) {
    const why =
      s.why === 'incomplete'
        ? 'an incomplete record (its write was cut short: vault killed, or the disk full)'
        : 'not a hand-out record'
    deps.streams.stderr.write(`vault: warning: skipped line ${s.line} of ${printable(s.file)}: ${why}\n`)
  }
}

/** The filter for --since, --profile and --kind; a bad value is a usage error naming it. */
export function filterOf(req: Pick<LogRequest, 'since' | 'profile' | 'kind'>, now: Date): (r: AuditRecord) => boolean {
  if (req.kind !== undefined && !(HAND_OUT_KINDS as string[]).includes(req.kind))
    throw new UsageError(`--kind must be one of ${HAND_OUT_KINDS.join(', ')}, not ${JSON.stringify(req.kind)}`)
  const since = req.since === undefined ? undefined : sinceTime(req.since, now)
  return (r) =>
    (since === undefined || Date.parse(r.time) >= since) &&
    (req.profile === undefined || r.profile === req.profile) &&
    (req.kind === undefined || r.kind === req.kind)
}

/** `--since 2h` (or 90m, 1h30m, 3600) counts back from now; otherwise a date or time Date.parse reads. */
export function sinceTime(text: string, now: Date): number {
  const days = /^(\d+)d$/.exec(text.trim())
  if (days) return now.getTime() - Number(days[1]) * 86_400_000
  try {
    return now.getTime() - parseDuration(text) * 1000
  } catch {}
  const at = Date.parse(text)
  if (Number.isNaN(at))
    throw new UsageError(
      `--since takes a duration (2h, 90m, 7d) or a time (2026-12-06T10:00:00Z), not ${JSON.stringify(text)}`,
    )
  return at
}

const columns = ['TIME', 'KIND', 'PROFILE', 'KEY', 'EXPIRES', 'OBTAINED', 'REQUESTER'] as const
const widths = [20, 18, 16, 20, 20, 40]
const header = `${columns
  .map((c, i) => c.padEnd(widths[i] ?? 0))
  .join(' ')
  .trimEnd()}\n`

/** One table row; every value from the file escaped, since a command line may hold anything. */
export function renderRow(r: AuditRecord): string {
  const cells = [
    seconds(r.time),
    r.kind,
    r.profile,
    r.accessKeyId,
    r.expiration ? seconds(r.expiration) : '-',
    obtained(r.steps ?? [], r.servedBy),
    requesterOf(r),
  ].map((c) => printable(String(c)))
  return `${cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join(' ')
    .trimEnd()}\n`
}

const seconds = (iso: string) => iso.replace(/\.\d+Z$/, 'Z')

/** "AssumeRole(MFA) < GetSessionToken < keys": the calls made, newest first; or what was reused. */
export function obtained(steps: ObtainStep[], servedBy: string): string {
  const text = steps.length
    ? [...steps]
        .reverse()
        .map((s) => {
          if (s.kind === 'cache') return `cached ${s.type}`
          if (s.kind === 'keys') return `keys of ${s.profile}`
          return `${s.api}${s.mfaSerial ? ' (MFA)' : ''}`
        })
        .join(' < ')
    : 'reused'
  return servedBy === 'agent' ? `agent: ${text}` : text
}

function requesterOf(r: AuditRecord): string {
  const q = r.requester ?? {}
  const who = q.argv0 ?? q.exe ?? q.cmdline?.[0] ?? '?'
  const parts = [who]
  if (q.pid !== undefined) parts.push(`pid ${q.pid}`)
  if (q.uid !== undefined) parts.push(`uid ${q.uid}`)
  return parts.join(' ')
}
