import { abandonKeychainCalls, keychainCallsStuck } from '../stores/native-calls.js'

/**
 * Lets the process end with its own exit code when a keychain call is stuck past its deadline:
 * the native calls run in a helper process (src/stores/native-host.ts), which is killed here, so
 * no thread of this process is left in native code for Node to wait for at exit. Calls still
 * within their deadline are waited for first. Call it once the output is written; resolves when
 * nothing is left running. (The name is older than the helper: this process no longer kills itself.)
 */
export async function exitIfKeychainStuck(): Promise<void> {
  if (await keychainCallsStuck()) abandonKeychainCalls()
}
