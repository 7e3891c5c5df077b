import { keychainCallsPending } from '../stores/native-calls.js'

/**
 * Ends the process at once when a keychain call that outlived its deadline is still stuck in
 * native code: Node joins every libuv worker thread at exit (process.exit included), so the
 * process would otherwise wait for that call forever. Only a kill skips the join; the exit
 * status is then 137 (128 + SIGKILL). Call it once the error line is written. Otherwise a no-op.
 */
export function exitIfKeychainStuck(): void {
  if (keychainCallsPending() > 0) process.kill(process.pid, 'SIGKILL')
}
