import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LockError } from '../errors.js'
import type { Logger } from '../runtime/types.js'
import type { LockFn } from './provider.js'

export interface LockOptions {
  dir: string
  log: Logger
  /** A holder whose lock has not been refreshed for this long is presumed dead. */
  staleMs?: number
  /** How long a waiter waits before giving up. The holder may be waiting for an MFA code. */
  waitMs?: number
}

/**
 * Cross-process single-flight for "read the cache → fetch → write the cache".
 *
 * In-process, callers of the same name queue on a promise chain; across processes, a
 * proper-lockfile lock (an atomic mkdir, refreshed every stale/2 ms) serialises them. A holder
 * killed with -9 stops refreshing, and waiters take over once the lock is `staleMs` old.
 *
 * Lock order: a process only ever takes locks walking its credential chain from the profile it
 * was asked for towards the long-term keys (a role's lock, then its source session's lock,
 * never the reverse). Every process walks the same direction over the same acyclic chain, so no
 * two processes can each hold a lock the other wants: nested locks cannot deadlock.
 */
export function fileLock(options: LockOptions): LockFn {
  const staleMs = options.staleMs ?? 10_000
  const waitMs = options.waitMs ?? 180_000
  const queues = new Map<string, Promise<unknown>>()
  return async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const previous = queues.get(name) ?? Promise.resolve()
    const run = previous.catch(() => {}).then(() => withFileLock(name, fn))
    queues.set(name, run)
    try {
      return await run
    } finally {
      if (queues.get(name) === run) queues.delete(name)
    }
  }

  async function withFileLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const [lockfile, { createHash }] = await Promise.all([import('proper-lockfile'), import('node:crypto')])
    await mkdir(options.dir, { recursive: true, mode: 0o700 })
    // Hashed so lock file names carry no profile names or serials.
    const file = join(options.dir, createHash('sha256').update(name).digest('hex').slice(0, 32))
    const started = Date.now()
    let release: () => Promise<void>
    let announced = false
    for (;;) {
      try {
        release = await lockfile.lock(file, {
          realpath: false,
          stale: staleMs,
          update: Math.max(1000, Math.floor(staleMs / 2)),
          retries: 0,
          onCompromised: (err) => options.log.debug(`lock for ${name} was taken over: ${err.message}`),
        })
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err
        if (!announced) {
          options.log.debug(`waiting for another vault process fetching ${name}`)
          announced = true
        }
        if (Date.now() - started > waitMs) {
          throw new LockError(
            `gave up after ${Math.round(waitMs / 1000)}s waiting for another vault process fetching ${describe(name)}`,
            'finish the MFA prompt in the other terminal, or stop that process and try again',
          )
        }
        await new Promise((r) => setTimeout(r, 25 + Math.random() * 75))
      }
    }
    if (announced) options.log.debug(`lock for ${name} acquired after ${Date.now() - started} ms`)
    try {
      return await fn()
    } finally {
      await release().catch(() => {})
    }
  }
}

/** "sts.AssumeRole,saguaro,arn…" → `sts.AssumeRole credentials of profile "saguaro"`. */
function describe(name: string): string {
  const [type, profile] = name.split(',')
  return `${type} credentials of profile "${profile}"`
}
