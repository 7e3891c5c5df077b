import { mkdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { LockError } from '../errors.js'
import { fileSystemError } from '../fs/fs-errors.js'
import type { Logger } from '../runtime/types.js'
import { silentLogger } from '../runtime/types.js'

/**
 * vault's one cross-process lock, used by the session cache (src/vault/locking.ts) and the store
 * index (index-lock.ts): proper-lockfile's atomic mkdir of `${path}.lock`, refreshed every
 * staleMs/2 by its holder, taken over once a holder stops refreshing for staleMs (killed -9).
 * The holder writes its pid to `${path}.pid`, so a waiter that gives up can name it, and a waiter
 * takes over at once from a holder that is no longer running (see takeOverFromDead). The holder
 * removes the pid file before it releases the lock, so the file only ever names a live holder or
 * one that died holding the lock.
 */
export interface FileLockOptions {
  /** The lock file's path; the lock itself is the directory `${path}.lock`. */
  path: string
  /** What the lock guards, for messages: `the store index`, `sts.AssumeRole credentials of profile "x"`. */
  name: string
  /** 0 tries once; otherwise how long to wait for another holder. */
  waitMs: number
  /** A holder that has not refreshed the lock for this long is presumed dead. */
  staleMs?: number
  /** What a user can do when the wait runs out. */
  hint?: string
  logger?: Logger
}

export const DEFAULT_STALE_MS = 10_000

export type Release = () => Promise<void>

/**
 * Take the lock, waiting up to `waitMs`; resolves undefined when `waitMs` is 0 and it is busy.
 * Throws a LockError naming the lock and its holder's pid when the wait runs out, and a
 * StoreError naming the path when the lock's directory cannot be made (~/.awsvault a file,
 * read-only HOME).
 */
export async function acquireFileLock(options: FileLockOptions): Promise<Release | undefined> {
  const lockfile = await import('proper-lockfile')
  const logger = options.logger ?? silentLogger
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS
  const dir = dirname(options.path)
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
    throw fileSystemError(err, dir, 'cannot create the lock directory')
  })
  const started = Date.now()
  let announced = false
  for (;;) {
    try {
      const release = await lockfile.lock(options.path, {
        realpath: false,
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 2)),
        retries: 0,
        onCompromised: (err) => logger.debug(`lock for ${options.name} was taken over: ${err.message}`),
      })
      // Best effort: the pid names the holder to a waiter that gives up, and with the lock's inode,
      // the host and a nonce it lets a waiter tell that this very lock's holder has died.
      const ino = await stat(`${options.path}.lock`).then(
        (st) => st.ino,
        () => 0,
      )
      const pidFile = `${options.path}.pid`
      const holder = `${process.pid} ${ino} ${hostname()} ${nonce()}\n`
      await writeFile(pidFile, holder, { mode: 0o600 }).catch(() => {})
      if (announced) logger.debug(`lock for ${options.name} acquired after ${Date.now() - started} ms`)
      return async () => {
        // Before the lock goes: a pid file left behind would name a dead holder beside the next
        // holder's lock, and on ext4 that lock gets the same inode (issue 15: two AssumeRoles).
        if ((await readFile(pidFile, 'utf8').catch(() => '')) === holder) await unlink(pidFile).catch(() => {})
        await release()
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED')
        throw fileSystemError(err, `${options.path}.lock`, 'cannot lock')
      if (await takeOverFromDead(options.path)) {
        logger.debug(`lock for ${options.name}: its holder is no longer running; taken over`)
        continue
      }
      if (options.waitMs <= 0) return undefined
      if (!announced) {
        logger.debug(`waiting for another vault process holding the lock for ${options.name}`)
        announced = true
      }
      if (Date.now() - started > options.waitMs) {
        const pid = await holderPid(options.path)
        throw new LockError(
          `gave up after ${options.waitMs / 1000}s waiting for the lock for ${options.name}, held by ${pid ? `vault process ${pid}` : 'another vault process'} (${options.path}.lock)`,
          options.hint ?? `wait for that process to finish, or stop it${pid ? ` (kill ${pid})` : ''} and try again`,
        )
      }
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40))
    }
  }
}

/** Run `fn` holding the lock (taken with `acquire`), releasing it however `fn` ends. */
export async function withRelease<T>(release: Release, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } finally {
    await release().catch(() => {})
  }
}

/**
 * A holder killed with -9 leaves its lock until it goes stale (10 s: a live holder's refresh may lag
 * that long on a busy machine), and every vault after it would wait that long (issue 15: a cache
 * miss killed mid-fetch). When the pid file names this very lock (its inode) on this host, and that
 * pid is not running, the lock is removed at once.
 *
 * The inode alone does not tell one lock from the next: ext4 gives a new lock directory the inode
 * of the one just removed. So a waiter first claims the pid file by renaming it (one rename wins;
 * the other waiters find no file and wait), checks that what it claimed is what it read (a nonce
 * per holder), and that the lock has not changed since (inode and mtime: a dead holder refreshes
 * nothing), then removes the lock. proper-lockfile's own stale takeover, after staleMs, can still
 * race with this as it races with itself.
 */
async function takeOverFromDead(path: string): Promise<boolean> {
  const pidFile = `${path}.pid`
  const named = await readFile(pidFile, 'utf8').catch(() => '')
  const [pidText, inoText, host] = named.trim().split(' ')
  const pid = Number.parseInt(pidText, 10)
  if (!Number.isInteger(pid) || pid <= 0 || host !== hostname() || isRunning(pid)) return false
  const lock = `${path}.lock`
  const before = await stat(lock).catch(() => undefined)
  if (before === undefined || String(before.ino) !== inoText) return false
  const claim = `${pidFile}.${process.pid}.${nonce()}`
  const won = await rename(pidFile, claim).then(
    () => true,
    () => false,
  )
  if (!won) return false
  const claimed = await readFile(claim, 'utf8').catch(() => '')
  await unlink(claim).catch(() => {})
  // Another waiter took over first and this is its holder's file: that lock is alive. (Its holder
  // is named no more, so if it dies too, waiters wait for staleness.)
  if (claimed !== named) return false
  const now = await stat(lock).catch(() => undefined)
  if (now === undefined) return true
  if (now.ino !== before.ino || now.mtimeMs !== before.mtimeMs) return false
  // false when it cannot be removed: the caller then waits as for any holder, and never spins.
  return rmdir(lock).then(
    () => true,
    (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
  )
}

/** Tells one holding of a lock from the next by the same pid: uniqueness, not secrecy. */
function nonce(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The pid the holder wrote, when it is still a running process. */
async function holderPid(path: string): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(`${path}.pid`, 'utf8').catch(() => ''), 10)
  return Number.isInteger(pid) && pid > 0 && isRunning(pid) ? pid : undefined
}

/**
 * An in-process queue: callers of one lock within a process wait on a promise chain, so they never
 * contend for the file with each other.
 */
export function processQueue(): <T>(fn: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve()
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.catch(() => {}).then(fn)
    queue = run
    return run
  }
}
