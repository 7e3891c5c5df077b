import type { Clock } from '../runtime/types.js'

/** At most one warning about refused requests per this long (after the first, which shows at once). */
export const refusalWarningEveryMs = 60_000

export interface LimitedWarn {
  (message: string): void
  /** Says how many were left unsaid, if any (when the server closes). */
  flush(): void
}

/**
 * Warnings about requests another user sends, rate-limited: a process that sends 500 requests
 * printed 500 lines on the owner's terminal. The first is shown; the rest within the next minute
 * are counted, and the next one after it is shown with that count. `subject` words the count:
 * "ecs server: 499 more requests were refused".
 */
export function limitedWarn(warn: (message: string) => void, clock: Clock, subject: string): LimitedWarn {
  let shownAt = Number.NEGATIVE_INFINITY
  let unsaid = 0
  const limited = (message: string) => {
    const now = clock.now().getTime()
    if (now - shownAt < refusalWarningEveryMs) {
      unsaid += 1
      return
    }
    warn(unsaid > 0 ? `${message} (and ${unsaid} more refused since the last warning)` : message)
    shownAt = now
    unsaid = 0
  }
  limited.flush = () => {
    if (unsaid > 0) warn(`${subject}: ${unsaid} more request${unsaid === 1 ? ' was' : 's were'} refused`)
    unsaid = 0
  }
  return limited
}
