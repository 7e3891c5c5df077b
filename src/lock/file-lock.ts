import { mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { LockError } from '../errors.js'
import { fileSystemError } from '../fs/fs-errors.js'
import type { Logger } from '../runtime/types.js'
import { silentLogger } from '../runtime/types.js'
import { formatHolder, type Holder, isNonce, judge, parseHolder, selfHolder } from './holder.js'
import { MAX_PAUSE_MS, type Waker, waker } from './wake.js'

/**
 * vault's one cross-process lock, used by the session cache (src/vault/locking.ts), the store
 * index (src/stores/index-lock.ts), the agent's socket and the hand-out log's rotation.
 *
 * The lock is the directory `${path}.lock`, holding one file named by the holding's nonce, whose
 * text names its holder (holder.ts). A contender writes that directory aside first
 * (`${path}.lock-NONCE`), then renames it into place: a rename onto a directory that is not empty
 * fails, so one contender wins, and its holder is named from the first moment the lock exists.
 * It then checks that its own record is what the lock holds.
 *
 * A holding ends by unlinking its own record (`${path}.lock/NONCE`), then removing the directory
 * if it is empty. Both steps act on that holding only, whoever runs them and whenever: a later
 * holding has another record, and its directory is never empty. So a waiter that finds the holder
 * gone (killed with -9, or silent past staleMs where its process cannot be checked) ends that
 * holding, and can never end a later one (issue 28: a takeover judged by inode removed a live lock,
 * as ext4 gives a new lock directory the inode of the one just removed). An empty directory (a
 * holder killed between its two steps) is free: the next rename replaces it.
 */
export interface FileLockOptions {
  /** The lock file's path; the lock itself is the directory `${path}.lock`. */
  path: string
  /** What the lock guards, for messages: `the store index`, `sts.AssumeRole credentials of profile "x"`. */
  name: string
  /** 0 tries once; otherwise how long to wait for another holder. */
  waitMs: number
  /**
   * A holder whose process cannot be checked (another host sharing HOME, or no /proc) is presumed
   * dead when it has not refreshed its holding for this long. With /proc, its process decides.
   */
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
  const logger = options.logger ?? silentLogger
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS
  const dir = dirname(options.path)
  const lock = `${options.path}.lock`
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
    throw fileSystemError(err, dir, 'cannot create the lock directory')
  })
  const me = selfHolder()
  const draft = `${lock}-${me.nonce}`
  const cannotLock = (err: unknown) => fileSystemError(err, lock, 'cannot lock')
  const started = Date.now()
  let announced = false
  let acquired = false
  let pauses = 0
  let wakes: Waker | undefined
  try {
    await writeDraft(draft, me).catch((err: unknown) => {
      throw cannotLock(err)
    })
    // The holder's pid, as last judged: named when the wait runs out.
    let holderPid: number | undefined
    let judging = true
    for (;;) {
      // A few quick tries in a row when the holding just ended, or was ended here.
      for (let quick = 0; quick < 10; quick++) {
        if (await tryRename(draft, me, lock).catch((err: unknown) => Promise.reject(cannotLock(err)))) {
          if (await exists(join(lock, me.nonce))) {
            acquired = true
            if (announced) logger.debug(`lock for ${options.name} acquired after ${Date.now() - started} ms`)
            await sweepDrafts(dir, basename(lock), me.nonce, staleMs)
            return holding(lock, me, staleMs, options.name, logger)
          }
          // What the rename put in place was ended before this look (our draft taken for a dead
          // contender's): not ours. Write the draft again.
          await writeDraft(draft, me).catch((err: unknown) => {
            throw cannotLock(err)
          })
          continue
        }
        // Woken by a change of the lock, another contender has just taken it: no need to judge it.
        if (!judging) break
        const seen = await readHolding(lock)
        if (seen === 'changed') continue
        if (seen === 'unknown') break
        const verdict = await judge(seen.holder, seen.ageMs, staleMs)
        if (!verdict.dead) {
          holderPid = verdict.here ? seen.holder.pid : undefined
          break
        }
        if (!(await endHolding(lock, seen.holder))) break
        logger.debug(`lock for ${options.name}: ${verdict.why}; its holding ended`)
      }
      if (options.waitMs <= 0) return undefined
      if (!announced) {
        logger.debug(`waiting for another vault process holding the lock for ${options.name}`)
        announced = true
      }
      if (Date.now() - started > options.waitMs) {
        const pid = holderPid
        throw new LockError(
          `gave up after ${options.waitMs / 1000}s waiting for the lock for ${options.name}, held by ${pid ? `vault process ${pid}` : 'another vault process'} (${lock})`,
          options.hint ?? `wait for that process to finish, or stop it${pid ? ` (kill ${pid})` : ''} and try again`,
        )
      }
      wakes ??= waker(dir, basename(lock))
      // Several looks per stale period, so a holding judged by age is ended soon after it goes stale.
      judging = (await wakes.pause(pauses++, Math.max(10, Math.min(MAX_PAUSE_MS, staleMs / 4)))) === 'time'
    }
  } finally {
    wakes?.close()
    if (!acquired) await rm(draft, { recursive: true, force: true }).catch(() => {})
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

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

async function writeDraft(draft: string, me: Holder): Promise<void> {
  await mkdir(draft, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err
  })
  await writeFile(join(draft, me.nonce), formatHolder(me), { mode: 0o600 })
}

/** true: the draft is the lock now; false: the lock is held. */
async function tryRename(draft: string, me: Holder, lock: string): Promise<boolean> {
  // The record was written when this contender began waiting; its holding starts now.
  const now = new Date()
  try {
    await utimes(join(draft, me.nonce), now, now)
    await rename(draft, lock)
    return true
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false
    if (code !== 'ENOENT') throw err
    // The draft is gone (swept as a dead contender's): write it again.
    await writeDraft(draft, me)
    return false
  }
}

type Seen = { holder: Holder; ageMs: number } | 'changed' | 'unknown'

/** The lock's holder as its record names it; `changed` when the holding ended while looking. */
async function readHolding(lock: string): Promise<Seen> {
  const gone = (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 'changed' : 'unknown')
  let names: string[]
  try {
    names = await readdir(lock)
  } catch (err) {
    return gone(err as NodeJS.ErrnoException)
  }
  if (names.length === 0) return 'changed'
  if (names.length !== 1 || !isNonce(names[0])) return 'unknown'
  const record = join(lock, names[0])
  try {
    const [text, st] = await Promise.all([readFile(record, 'utf8'), stat(record)])
    const holder = parseHolder(names[0], text)
    return holder ? { holder, ageMs: Date.now() - st.mtimeMs } : 'unknown'
  } catch (err) {
    return gone(err as NodeJS.ErrnoException)
  }
}

/**
 * Ends one holding: its record, then the directory if it is empty. Neither step can touch a later
 * holding. false when the record cannot be removed (the caller then waits, and never spins).
 */
export async function endHolding(lock: string, holder: Holder): Promise<boolean> {
  try {
    await unlink(join(lock, holder.nonce))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false
  }
  await rmdir(lock).catch(() => {})
  return true
}

/** The held lock: its record refreshed (for waiters that judge by age), and its release. */
function holding(lock: string, me: Holder, staleMs: number, name: string, logger: Logger): Release {
  const record = join(lock, me.nonce)
  let lost = false
  const refresh = setInterval(
    () => {
      const now = new Date()
      utimes(record, now, now).catch(() => {
        if (!lost) logger.debug(`lock for ${name}: its holding was ended by another process`)
        lost = true
      })
    },
    Math.max(50, Math.floor(staleMs / 3)),
  )
  refresh.unref()
  let released: Promise<void> | undefined
  return () => {
    clearInterval(refresh)
    released ??= endHolding(lock, me).then(() => {})
    return released
  }
}

/**
 * Drafts left by contenders killed before their rename (`${lock}-NONCE`), removed when their
 * holder is judged gone, as a holding would be. Best effort: litter only. A draft removed while its
 * contender renames it is caught by that contender's check after the rename.
 */
async function sweepDrafts(dir: string, lockName: string, mine: string, staleMs: number): Promise<void> {
  const prefix = `${lockName}-`
  const names = await readdir(dir).catch(() => [] as string[])
  for (const name of names) {
    const nonce = name.slice(prefix.length)
    if (!name.startsWith(prefix) || nonce === mine || !isNonce(nonce)) continue
    const seen = await readHolding(join(dir, name))
    if (typeof seen !== 'object') continue
    if ((await judge(seen.holder, seen.ageMs, staleMs)).dead)
      await rm(join(dir, name), { recursive: true, force: true }).catch(() => {})
  }
}
