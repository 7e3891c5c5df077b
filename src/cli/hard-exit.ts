import { keychainCallsStuck } from '../stores/native-calls.js'

/**
 * Ends the process at once when a keychain call that outlived its deadline is still stuck in
 * native code: Node joins every libuv worker thread at exit (process.exit included), so the
 * process would otherwise wait for that call forever. Only a kill skips the join; the exit
 * status is then 137 (128 + SIGKILL). Calls still within their deadline are waited for first.
 * Call it once the output is written; resolves when nothing is stuck.
 */
export async function exitIfKeychainStuck(): Promise<void> {
  if (await keychainCallsStuck()) process.kill(process.pid, 'SIGKILL')
}
