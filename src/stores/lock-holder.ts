import { readFileSync, readlinkSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { hostname } from 'node:os'

/**
 * Who holds one holding of a lock (see file-lock.ts). It is written inside the lock before the lock
 * exists, so nobody ever sees a lock without its holder. The nonce names this holding alone: it is
 * the record's file name, so removing a holding removes that one and no later one.
 */
export interface Holder {
  pid: number
  /** The process's start time (/proc/PID/stat field 22), so a reused pid is not taken for it; `-` where unknown. */
  start: string
  /** The boot and pid namespace the pid belongs to, `-` where unknown: pids compare only within one. */
  space: string
  host: string
  nonce: string
}

const NONCE = /^[0-9a-z]+(-[0-9a-z]+){3}$/
let counter = 0

/** A holding of this process, with a nonce of its own. */
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
 * Whether a holding's holder is gone. On the same machine (host, boot and pid namespace), by the
 * process itself: not running, a zombie, or another process now using its pid (another start
 * time) — never by age, since a live holder whose event loop is blocked refreshes nothing. Where
 * the pid cannot be checked (another host sharing HOME), by age: not refreshed for `staleMs`.
 */
export async function judge(h: Holder, ageMs: number, staleMs: number): Promise<Verdict> {
  const me = self()
  const stale = ageMs > staleMs
  const aged = {
    here: false,
    dead: stale,
    why: stale ? `its lock has not been refreshed for ${Math.round(ageMs)} ms` : 'its lock is being refreshed',
  }
  if (h.host !== me.host || h.space !== me.space) return aged
  if (me.start !== '-') {
    const stat = await readFile(`/proc/${h.pid}/stat`, 'utf8').catch((err: NodeJS.ErrnoException) => err.code)
    if (stat === 'ENOENT') return { here: true, dead: true, why: `process ${h.pid} is no longer running` }
    const fields = typeof stat === 'string' ? statFields(stat) : undefined
    if (fields) {
      if (fields.start !== h.start)
        return { here: true, dead: true, why: `process ${h.pid} has ended (its pid is reused)` }
      // A zombie whose other threads are still finishing (a write under way) has not let go yet.
      if ((fields.state === 'Z' || fields.state === 'X') && (await onlyLeaderLeft(h.pid)))
        return { here: true, dead: true, why: `process ${h.pid} has exited` }
      return { here: true, dead: false, why: `process ${h.pid} is running` }
    }
  }
  // No /proc (macOS): a pid that exists may be another process's, so a long silence decides.
  if (!isRunning(h.pid)) return { here: true, dead: true, why: `process ${h.pid} is no longer running` }
  return stale ? { ...aged, here: true } : { here: true, dead: false, why: `process ${h.pid} is running` }
}

/** A killed process's threads end one by one; its files are closed once only its first thread is left. */
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
function statFields(text: string): { state: string; start: string } | undefined {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const start = rest[19]
  return rest[0] && start && /^\d+$/.test(start) ? { state: rest[0], start } : undefined
}

let mine: Omit<Holder, 'nonce'> | undefined

function self(): Omit<Holder, 'nonce'> {
  if (!mine) {
    const read = (fn: () => string) => {
      try {
        return fn()
      } catch {
        return undefined
      }
    }
    const stat = read(() => readFileSync('/proc/self/stat', 'utf8'))
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
