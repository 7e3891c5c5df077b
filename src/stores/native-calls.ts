/**
 * Native keychain calls started and not yet settled, in this process. A call that outlived its
 * deadline keeps a libuv worker thread, and Node joins those threads at exit (process.exit and
 * process.reallyExit included: seen with gdb, main thread in uv__threadpool_cleanup →
 * uv_thread_join), so a process with one pending can end promptly only by a kill
 * (src/cli/hard-exit.ts). A module of its own, with no imports, so that the CLI's exit path can
 * ask without loading the keychain store.
 */
let pending = 0

export function nativeCallStarted(): void {
  pending++
}

export function nativeCallEnded(): void {
  pending--
}

/** How many native keychain calls are still running. */
export function keychainCallsPending(): number {
  return pending
}
