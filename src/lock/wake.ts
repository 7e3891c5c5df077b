import { type FSWatcher, watch } from 'node:fs'

/** The longest a waiter sleeps between two looks at the lock, when nothing wakes it sooner. */
export const MAX_PAUSE_MS = 500

export interface Waker {
  /**
   * `changed` when the lock's entry changes (a release, a new holding), else `time` after the nth
   * pause's time: 10 ms, doubling up to `longest`.
   */
  pause(n: number, longest: number): Promise<'changed' | 'time'>
  close(): void
}

/**
 * What a waiter sleeps on between two looks at the lock. A release or a new holding changes the
 * lock's entry in its directory, which the file system reports (inotify, FSEvents,
 * ReadDirectoryChangesW): waiters then look at once, and otherwise sleep longer and longer, up to
 * MAX_PAUSE_MS (or less, see file-lock.ts). Under 64 cold exports on 2 cores, waiters that looked every 10-50 ms took most of a
 * core between them, and the holder's STS call then ran past its attempt deadline and was sent again
 * (issue 28). A holder killed with -9 changes nothing: the pauses find it. Where the directory
 * cannot be watched (no inotify instance left, a network file system), the pauses alone.
 */
export function waker(dir: string, name: string): Waker {
  let wake: ((why: 'changed') => void) | undefined
  // A change between two pauses (while the waiter looks) ends the next pause at once.
  let changed = false
  let watcher: FSWatcher | undefined
  try {
    watcher = watch(dir, { persistent: false }, (_event, file) => {
      if (file !== null && String(file) !== name) return
      if (wake) wake('changed')
      else changed = true
    })
    watcher.on('error', () => {
      watcher?.close()
      watcher = undefined
    })
  } catch {
    watcher = undefined
  }
  return {
    pause: (n, longest) =>
      new Promise<'changed' | 'time'>((resolve) => {
        if (changed) {
          changed = false
          resolve('changed')
          return
        }
        const ms = Math.min(longest, 10 * 2 ** n) * (0.5 + Math.random())
        const timer = setTimeout(() => done('time'), ms)
        function done(why: 'changed' | 'time') {
          clearTimeout(timer)
          wake = undefined
          resolve(why)
        }
        wake = done
      }),
    close: () => watcher?.close(),
  }
}
