import { acquireFileLock, type Release, withRelease } from '../lock/file-lock.js'
import { keyedQueue } from '../lock/queue.js'
import type { Logger } from '../runtime/types.js'
import type { IndexLock } from './secret-store.js'

export interface FileIndexLockOptions {
  /** The lock is the directory `${path}.lock` (see file-lock.ts). */
  path: string
  logger?: Logger
  /** A holder that cannot be checked and has not refreshed the lock for this long is presumed dead. */
  staleMs?: number
  /** How long hold() waits for another process's update. */
  waitMs?: number
}

/** How long hold() waits for another process's update, unless told otherwise. */
export const INDEX_LOCK_WAIT_MS = 30_000

/**
 * The index lock across processes: vault's one file lock (file-lock.ts), loaded only when a
 * process writes (a cache hit never does). Holds are short: one read and one write of the index,
 * or a full listing when the index must be rebuilt.
 */
export function fileIndexLock(options: FileIndexLockOptions): IndexLock {
  const queue = keyedQueue()
  const inQueue = <T>(fn: () => Promise<T>) => queue(options.path, fn)
  const acquire = (waitMs: number) =>
    acquireFileLock({
      path: options.path,
      name: 'the store index',
      waitMs,
      staleMs: options.staleMs,
      logger: options.logger,
    })
  return {
    hold: (fn) =>
      inQueue(async () => withRelease((await acquire(options.waitMs ?? INDEX_LOCK_WAIT_MS)) as Release, fn)),
    tryHold: (fn) =>
      inQueue(async () => {
        const release = await acquire(0)
        return release ? withRelease(release, fn) : undefined
      }),
  }
}

/** The same contract within one process: enough for the memory store in tests. */
export function processIndexLock(): IndexLock {
  const queue = keyedQueue()
  const inQueue = <T>(fn: () => Promise<T>) => queue('index', fn)
  let held = false
  const hold = <T>(fn: () => Promise<T>): Promise<T> =>
    inQueue(async () => {
      held = true
      try {
        return await fn()
      } finally {
        held = false
      }
    })
  return { hold, tryHold: (fn) => (held ? Promise.resolve(undefined) : hold(fn)) }
}
