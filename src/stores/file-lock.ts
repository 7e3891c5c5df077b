import { mkdir, readdir, readFile, rename, rm, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { LockError } from '../errors.js'
import type { Logger } from '../runtime/types.js'
import { silentLogger } from '../runtime/types.js'
import { fileSystemError } from './fs-errors.js'
import { formatHolder, type Holder, isNonce, judge, parseHolder, selfHolder } from './lock-holder.js'

/**
 * vault's one cross-process lock, used by the session cache (src/vault/locking.ts) and the store
 * index (index-lock.ts).
 *
 * The lock is the directory `${path}.lock`, holding one file named by the holding's nonce, whose
 * text names the holder (lock-holder.ts). A contender writes that directory aside first
 * (`${path}.lock-NONCE`), then renames it into place: rename onto a non-empty directory fails, so
 * one contender wins, and its holder is named from the first moment the lock exists.
 *
 * A holding ends by unlinking its own record (`${path}.lock/NONCE`), then removing the directory
 * if it is empty. Both steps act on that holding only, whoever runs them and whenever: a later
 * holding has another record name, and its directory is never empty. So a waiter that finds the
 * holder dead (killed with -9) ends that holding at once, and can never end a live one (issue 28:
 * takeover by inode removed a live lock, as ext4 reuses the inode of a removed lock directory).
 * A directory left empty (a holder killed between the two steps) is replaced by the next rename.
 */
export interface FileLockOptions {
  /** The lock file's path; the lock itself is the directory `${path}.lock`. */
  path: string
  /** What the lock guards, for messages: `the store index`, `sts.AssumeRole credentials of profile "x"`. */
  name: string
  /** 0 tries once; otherwise how long to wait for another holder. */
  waitMs: number
  /**
   * A holder on another host (a shared HOME), whose pid cannot be checked, is presumed dead when it
   * has not refreshed its lock for this long. On this machine the holder's process decides.
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
  const started = Date.now()
  let announced = false
  let acquired = false
  let quick = 0
  let holderPid: number | undefined
  try {
    await writeDraft(draft, me).catch((err: unknown) => {
      throw fileSystemError(err, lock, 'cannot lock')
    })
    for (;;) {
      if (await tryRename(draft, me, lock)) {
        // Verify what the rename put in place is this holding (nothing else writes our nonce).
        if (await exists(join(lock, me.nonce))) {
          acquired = true
          if (announced) logger.debug(`lock for ${options.name} acquired after ${Date.now() - started} ms`)
          await sweepDrafts(dir, basename(lock), me.nonce, staleMs)
          return holding(lock, me, staleMs, options.name, logger)
        }
        await writeDraft(draft, me).catch((err: unknown) => {
          throw fileSystemError(err, lock, 'cannot lock')
        })
        continue
      }
      // Look again at once when the holding just ended or was ended here, a few times in a row.
      const seen = await readHolding(lock)
      if (seen === 'changed' && quick++ < 10) continue
      if (typeof seen === 'object') {
        const verdict = await judge(seen.holder, seen.ageMs, staleMs)
        if (!verdict.dead) holderPid = verdict.here ? seen.holder.pid : undefined
        else if ((await endHolding(lock, seen.holder)) && quick++ < 10) {
          logger.debug(`lock for ${options.name}: ${verdict.why}; its holding ended, taking it`)
          continue
        }
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
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40))
      quick = 0
      holderPid = undefined
    }
  } finally {
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
  // A waiter's record was written when it began waiting; the holding starts now.
  const now = new Date()
  try {
    await utimes(join(draft, me.nonce), now, now)
    await rename(draft, lock)
    return true
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false
    if (code === 'ENOENT') {
      // The draft is gone (a sweep took this process for dead): write it again.
      await writeDraft(draft, me).catch((e: unknown) => {
        throw fileSystemError(e, lock, 'cannot lock')
      })
      return false
    }
    throw fileSystemError(err, lock, 'cannot lock')
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
  if (names.length === 0) return 'changed' // ended, or its holder died between unlink and rmdir: rename replaces it
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

/** The held lock: refreshed for holders on other hosts, and its release. */
function holding(lock: string, me: Holder, staleMs: number, name: string, logger: Logger): Release {
  const record = join(lock, me.nonce)
  let lost = false
  const refresh = setInterval(
    () => {
      const now = new Date()
      utimes(record, now, now).catch(() => {
        if (!lost) logger.debug(`lock for ${name} was taken over: its holding is gone`)
        lost = true
      })
    },
    Math.max(50, Math.floor(staleMs / 3)),
  )
  refresh.unref()
  return async () => {
    clearInterval(refresh)
    await endHolding(lock, me)
  }
}

/**
 * Drafts left by contenders killed before their rename (`${lock}-NONCE`), removed when their
 * holder is judged dead, as a holding would be. Best effort: litter only.
 */
async function sweepDrafts(dir: string, lockName: string, mine: string, staleMs: number): Promise<void> {
  const prefix = `${lockName}-`
  const names = await readdir(dir).catch(() => [] as string[])
  for (const name of names) {
    const nonce = name.slice(prefix.length)
    if (!name.startsWith(prefix) || nonce === mine || !isNonce(nonce)) continue
    const seen = await readHolding(join(dir, name))
    if (seen === 'changed' || seen === 'unknown') continue
    if ((await judge(seen.holder, seen.ageMs, staleMs)).dead) {
      await rm(join(dir, name), { recursive: true, force: true }).catch(() => {})
    }
  }
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
