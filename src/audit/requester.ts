import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import type { Requester } from '../vault/hand-out.js'

/** A command line longer than this is cut: the record must stay one small write. */
const MAX_CMDLINE = 4096

/**
 * What /proc says about a process: its executable and command line (Linux; elsewhere just the
 * pid). Each read is one small file; a process gone, or not ours to read, gives what could be read.
 */
export function processRequester(pid: number, proc = '/proc'): Requester {
  const r: Requester = { pid }
  try {
    r.exe = readlinkSync(`${proc}/${pid}/exe`)
  } catch {}
  try {
    const raw = readFileSync(`${proc}/${pid}/cmdline`).subarray(0, MAX_CMDLINE).toString('utf8')
    const args = raw.split('\0')
    if (args.at(-1) === '') args.pop()
    if (args.length > 0) r.cmdline = args
  } catch {}
  return r
}

/** The two ends of an accepted TCP connection, as the server's socket reports them. */
export interface PeerConnection {
  remoteAddress?: string
  remotePort?: number
  localAddress?: string
  localPort?: number
}

export interface PeerLookup {
  /** The client end's owner and socket inode, from /proc/net/tcp{,6} (src/server/peer-uid.ts). */
  socketOf(c: PeerConnection): Promise<{ uid: number; inode: number } | undefined>
  /** /proc's process directories. */
  proc?: string
}

/**
 * Who holds the client end of a connection to a credential server: its uid from /proc/net/tcp,
 * then the process whose fd table holds that socket's inode (the first found: a socket shared by
 * a parent and a child names either). Runs after the reply is sent, so it never delays one.
 */
export async function peerRequester(c: PeerConnection, lookup: PeerLookup): Promise<Requester> {
  const socket = await lookup.socketOf(c).catch(() => undefined)
  if (!socket) return {}
  const r: Requester = { uid: socket.uid }
  if (socket.inode === 0) return r
  const pid = pidHolding(`socket:[${socket.inode}]`, lookup.proc ?? '/proc')
  return pid === undefined ? r : { ...processRequester(pid, lookup.proc), uid: socket.uid }
}

/**
 * The process holding `link` in its fd table. Synchronous on purpose: a few thousand small
 * syscalls take milliseconds, while the thread pool's queue on a busy machine takes far longer,
 * and the client closes its socket (and it leaves /proc) soon after its reply. Newest pids first:
 * the client is most likely a process just started. Bounded by a deadline.
 */
function pidHolding(link: string, proc: string, deadlineMs = 300): number | undefined {
  const until = Date.now() + deadlineMs
  let pids: number[]
  try {
    pids = readdirSync(proc)
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .sort((a, b) => b - a)
  } catch {
    return undefined
  }
  for (const pid of pids) {
    if (Date.now() > until) return undefined
    let fds: string[]
    try {
      fds = readdirSync(`${proc}/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`${proc}/${pid}/fd/${fd}`) === link) return pid
      } catch {}
    }
  }
  return undefined
}

/**
 * The parent process (credential_process's caller, the shell that runs `export`), read from /proc
 * only when the record is built: with the log off, nothing is read.
 */
export function parentRequester(pid: number = process.ppid): Requester {
  let info: Requester | undefined
  const read = () => {
    info ??= processRequester(pid)
    return info
  }
  return {
    pid,
    get exe() {
      return read().exe
    },
    get cmdline() {
      return read().cmdline
    },
  }
}
