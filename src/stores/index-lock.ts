import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Logger } from '../runtime/types.js'
import { silentLogger } from '../runtime/types.js'
import type { IndexLock } from './secret-store.js'

export interface FileIndexLockOptions {
  /** The lock is the directory `${path}.lock` (proper-lockfile's atomic mkdir). */
  path: string
  logger?: Logger
  /** A holder that has not refreshed the lock for this long is presumed dead (killed mid-update). */
  staleMs?: number
  /** How long hold() waits for another process's update. */
  waitMs?: number
}

/**
 * The index lock across processes: proper-lockfile, loaded only when a process writes (a cache
 * hit never does). Callers within one process queue on a promise first, so they never contend
 * for the file with each other. Holds are short: one read and one write of the index item, or a
 * full listing when the index must be rebuilt; the holder refreshes the lock meanwhile.
 */
export function fileIndexLock(options: FileIndexLockOptions): IndexLock {
  const staleMs = options.staleMs ?? 10_000
  const waitMs = options.waitMs ?? 30_000
  const logger = options.logger ?? silentLogger
  let queue: Promise<unknown> = Promise.resolve()

  const inQueue = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.catch(() => {}).then(fn)
    queue = run
    return run
  }

  async function acquire(wait: boolean): Promise<(() => Promise<void>) | undefined> {
    const lockfile = await import('proper-lockfile')
    await mkdir(dirname(options.path), { recursive: true, mode: 0o700 })
    const started = Date.now()
    for (;;) {
      try {
        return await lockfile.lock(options.path, {
          realpath: false,
          stale: staleMs,
          update: Math.max(1000, Math.floor(staleMs / 2)),
          retries: 0,
          onCompromised: (err) => logger.debug(`store index: lock taken over (${err.message})`),
        })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err
        if (!wait) return undefined
        if (Date.now() - started > waitMs) throw new Error(`the store index lock stayed busy for ${waitMs / 1000}s`)
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 40))
      }
    }
  }

  async function run<T>(release: () => Promise<void>, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } finally {
      await release().catch(() => {})
    }
  }

  return {
    hold: (fn) =>
      inQueue(async () => {
        const release = await acquire(true)
        return run(release as () => Promise<void>, fn)
      }),
    tryHold: (fn) =>
      inQueue(async () => {
        const release = await acquire(false)
        return release ? run(release, fn) : undefined
      }),
  }
}

/** The same contract within one process: enough for the memory store in tests. */
export function processIndexLock(): IndexLock {
  let queue: Promise<unknown> = Promise.resolve()
  let held = false
  const hold = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue
      .catch(() => {})
      .then(async () => {
        held = true
        try {
          return await fn()
        } finally {
          held = false
        }
      })
    queue = run
    return run
  }
  return { hold, tryHold: (fn) => (held ? Promise.resolve(undefined) : hold(fn)) }
}
