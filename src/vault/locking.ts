import { join } from 'node:path'
import { acquireFileLock, type Release, withRelease } from '../lock/file-lock.js'
import type { Logger } from '../runtime/types.js'
import type { LockFn, LockWait } from './provider.js'

export interface LockOptions {
  dir: string
  log: Logger
  /** A holder whose lock has not been refreshed for this long is presumed dead. */
  staleMs?: number
  /** How long a waiter waits, and its advice, when the caller does not say (see mfaWait). */
  wait?: LockWait
}

/** The holder of a credential's lock may be waiting for the user's MFA code. */
export const mfaWait: LockWait = {
  waitMs: 180_000,
  hint: 'finish the MFA prompt in the other terminal, or stop that process and try again',
}

/**
 * Cross-process single-flight for "read the cache → fetch → write the cache", on vault's one file
 * lock (src/lock/file-lock.ts), one lock file per credential in `dir`.
 *
 * In-process, callers of the same name queue on a promise chain; across processes, the file lock
 * serialises them, and waiters take over from a holder killed with -9 once its lock is stale.
 *
 * Lock order: a process only ever takes locks walking its credential chain from the profile it
 * was asked for towards the long-term keys (a role's lock, then its source session's lock,
 * never the reverse). Every process walks the same direction over the same acyclic chain, so no
 * two processes can each hold a lock the other wants: nested locks cannot deadlock.
 */
export function fileLock(options: LockOptions): LockFn {
  const queues = new Map<string, Promise<unknown>>()
  return async <T>(name: string, fn: () => Promise<T>, wait?: LockWait): Promise<T> => {
    const previous = queues.get(name) ?? Promise.resolve()
    const run = previous.catch(() => {}).then(() => withFileLock(name, fn, wait ?? options.wait ?? mfaWait))
    queues.set(name, run)
    try {
      return await run
    } finally {
      if (queues.get(name) === run) queues.delete(name)
    }
  }

  async function withFileLock<T>(name: string, fn: () => Promise<T>, wait: LockWait): Promise<T> {
    const { createHash } = await import('node:crypto')
    // Hashed so lock file names carry no profile names or serials.
    const path = join(options.dir, createHash('sha256').update(name).digest('hex').slice(0, 32))
    const release = await acquireFileLock({
      path,
      name: describe(name),
      waitMs: wait.waitMs,
      staleMs: options.staleMs,
      logger: options.log,
      hint: wait.hint,
    })
    return withRelease(release as Release, fn)
  }
}

/** "sts.AssumeRole,saguaro,arn…" → `sts.AssumeRole credentials of profile "saguaro"`. */
function describe(name: string): string {
  const [type, profile] = name.split(',')
  return `${type} credentials of profile "${profile}"`
}
