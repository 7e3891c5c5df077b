/**
 * Native keychain calls started and not yet settled, each with its deadline. A call that outlived
 * its deadline keeps a libuv worker thread, and Node joins those threads at exit (process.exit
 * and process.reallyExit included: seen with gdb, main thread in uv__threadpool_cleanup →
 * uv_thread_join), so the calls run in a helper process (native-host.ts) that the CLI's exit
 * path abandons (src/cli/hard-exit.ts). A module of its own, with no imports, so that the exit
 * path can ask without loading the keychain store.
 */
interface NativeCall {
  settled: Promise<void>
  deadline: number
}

const calls = new Set<NativeCall>()
let abandon: (() => void) | undefined

/** How to give up the calls that are stuck: the helper process registers its kill. */
export function onAbandon(fn: () => void): void {
  abandon = fn
}

/** Gives up every call still running (kills the helper process that runs them). */
export function abandonKeychainCalls(): void {
  abandon?.()
  calls.clear()
}

/** Records a native call that should settle within `timeoutMs`. */
export function trackNativeCall(native: Promise<unknown>, timeoutMs: number): void {
  const call: NativeCall = {
    settled: native.then(
      () => {},
      () => {},
    ),
    deadline: Date.now() + timeoutMs,
  }
  calls.add(call)
  call.settled.then(() => calls.delete(call))
}

/** How many native keychain calls are still running. */
export function keychainCallsPending(): number {
  return calls.size
}

/**
 * Waits until every native call has settled or outlived its deadline (a failed command may leave
 * a sibling call running, which ends by itself); true when some call is stuck past its deadline.
 */
export async function keychainCallsStuck(): Promise<boolean> {
  for (;;) {
    if (calls.size === 0) return false
    const now = Date.now()
    const live = [...calls].filter((c) => c.deadline > now)
    if (live.length === 0) return true
    let timer: NodeJS.Timeout | undefined
    const nextDeadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.min(...live.map((c) => c.deadline)) - now)
    })
    await Promise.race([...live.map((c) => c.settled), nextDeadline])
    clearTimeout(timer)
  }
}

/** The part of @napi-rs/keyring the keychain store uses; tests inject a fake with the same shape. */
export type KeyringBinding = Pick<typeof import('@napi-rs/keyring'), 'AsyncEntry' | 'findCredentialsAsync'>
