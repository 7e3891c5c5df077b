/**
 * A keychain listing whose bus stops right after the probe: the driver stubs the probe as
 * answered, so the native call starts and sticks on a libuv worker thread (findCredentialsAsync
 * runs there, in vault's keychain helper process). It reports the error as vault does and ends
 * through src/cli/hard-exit.ts and process.exit, as src/cli/main.ts does.
 * Output: stderr as vault writes it; the exit is the test's subject.
 */
import { writeSync } from 'node:fs'
import { exitIfKeychainStuck } from '../../src/cli/hard-exit.js'
import { reportError } from '../../src/cli/report-error.js'
import { KeychainStore } from '../../src/stores/keychain-store.js'

const store = new KeychainStore({ backend: 'secret-service', platform: 'linux', probeBus: async () => 'answered' })
const stderr = { write: (s: string) => writeSync(2, s) } as unknown as NodeJS.WritableStream
try {
  await store.entries()
  process.exitCode = 0
} catch (err) {
  const code = reportError(err, stderr, false)
  await exitIfKeychainStuck()
  process.exit(code)
}
