import { readFileSync, readlinkSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { hostname } from 'node:os'

/**
 * Who holds one holding of a lock (see file-lock.ts). The record is written before the holding
 * exists, so nobody ever sees a lock without its holder. The nonce names this holding alone: it is
 * the record's file name, so ending a holding ends that one and never a later one.
 */
export interface Holder {
  pid: number
  /** The process's start time (/proc/PID/stat field 22, clock ticks since boot); `-` where unknown. */
  start: string
  /** The boot and pid namespace the pid belongs to, `-` where unknown: pids compare only within one. */
  space: string
  host: string
  nonce: string
}

const NONCE = /^[0-9a-z]+(-[0-9a-z]+){3}$/
let counter = 0

/** A new holding by this process, with a nonce of its own. */
export function selfHolder(): Holder {
  const nonce = [process.pid, counter++, Date.now(), Math.floor(Math.random() * 2 ** 40)]
    .map((n) => n.toString(36))
    .join('-')
  return { ...self(), nonce }
}

export function isNonce(name: string): boolean {
  return NONCE.test(name)
}

export function formatHolder(h: Holder): string {
  return `${h.pid} ${h.start} ${h.space} ${h.host}\n`
}

export function parseHolder(nonce: string, text: string): Holder | undefined {
  const [pidText, start, space, ...host] = text.replace(/\n$/, '').split(' ')
  const pid = Number(pidText)
  if (!Number.isSafeInteger(pid) || pid <= 0 || !start || !space || host.length === 0) return undefined
  return { pid, start, space, host: host.join(' '), nonce }
}

export interface Verdict {
  dead: boolean
  /** The holder is a process on this machine (its pid may be named to the user). */
  here: boolean
  /** Why, for --debug: `process 123 is no longer running`. */
  why: string
}

/**
 * Whether a holding's holder is gone. On this machine (same host, boot and pid namespace) with
 * /proc, by the process itself: its pid not running, or run by another process now (another start
 * time), or a zombie with no thread left but its first — never by age, as a live holder whose
 * event loop is blocked refreshes nothing. Without /proc (macOS, Windows) a pid that runs may be
 * another process's, and on another host (a shared HOME) it cannot be checked: there, by age, a
 * holding not refreshed for `staleMs`. Ending a stale holding cannot end a later one (file-lock.ts).
 */
export async function judge(h: Holder, ageMs: number, staleMs: number): Promise<Verdict> {
  const me = self()
  const stale = ageMs > staleMs
  const aged = {
    here: false,
    dead: stale,
    why: stale ? `its holding has not been refreshed for ${Math.round(ageMs)} ms` : 'its holding is being refreshed',
  }
  if (h.host !== me.host || h.space !== me.space) return aged
  if (me.start !== '-' && h.start !== '-') {
    const stat = await readFile(`/proc/${h.pid}/stat`, 'utf8').catch((err: NodeJS.ErrnoException) => err.code)
    if (stat === 'ENOENT' || stat === 'ESRCH')
      return { here: true, dead: true, why: `process ${h.pid} is no longer running` }
    const fields = typeof stat === 'string' ? statFields(stat) : undefined
    if (fields) {
      if (fields.start !== h.start)
        return { here: true, dead: true, why: `process ${h.pid} has ended (its pid is reused)` }
      // A killed process's threads end one by one: while another is still in a write, it has not let go.
      if ((fields.state === 'Z' || fields.state === 'X') && (await onlyLeaderLeft(h.pid)))
        return { here: true, dead: true, why: `process ${h.pid} has exited` }
      return { here: true, dead: false, why: `process ${h.pid} is running` }
    }
  }
  if (!isRunning(h.pid)) return { here: true, dead: true, why: `process ${h.pid} is no longer running` }
  return { ...aged, here: true }
}

async function onlyLeaderLeft(pid: number): Promise<boolean> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [String(pid)])
  return tasks.length === 1 && tasks[0] === String(pid)
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** State (field 3) and start time (field 22) of /proc/PID/stat; the name (field 2) may hold spaces and parentheses. */
export function statFields(text: string): { state: string; start: string } | undefined {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const start = rest[19]
  return rest[0] && start && /^\d+$/.test(start) ? { state: rest[0], start } : undefined
}

let mine: Omit<Holder, 'nonce'> | undefined

/** This process, read once: its pid, start time, boot and pid namespace, and host. */
function self(): Omit<Holder, 'nonce'> {
  if (mine?.pid !== process.pid) {
    const read = (fn: () => string) => {
      try {
        return fn()
      } catch {
        return undefined
      }
    }
    const stat = read(() => readFileSync(`/proc/${process.pid}/stat`, 'utf8'))
    const boot = read(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim())
    const ns = read(() => readlinkSync('/proc/self/ns/pid').replace(/\D/g, ''))
    mine = {
      pid: process.pid,
      start: (stat && statFields(stat)?.start) ?? '-',
      space: boot && ns ? `${boot}/${ns}` : '-',
      host: hostname().replace(/\s/g, '_') || '-',
    }
  }
  return mine
}
