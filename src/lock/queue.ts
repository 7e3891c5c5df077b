/**
 * vault's one in-process queue: callers of one lock within a process wait on a promise chain per
 * key, so they never contend for the lock's file with each other, and run in the order they came.
 * A key's chain is dropped once its last caller is done.
 */
export type Queue = <T>(key: string, fn: () => Promise<T>) => Promise<T>

export function keyedQueue(): Queue {
  const tails = new Map<string, Promise<unknown>>()
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).catch(() => {}).then(fn)
    tails.set(key, run)
    try {
      return await run
    } finally {
      if (tails.get(key) === run) tails.delete(key)
    }
  }
}
