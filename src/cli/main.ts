import { flush, run, settings } from '@oclif/core'
import { keychainCallsPending } from '../stores/native-calls.js'
import { exitIfKeychainStuck } from './hard-exit.js'
import { reportError } from './report-error.js'

/**
 * Entry point shared by bin/run.js and bin/dev.js. `development` makes oclif load the TypeScript
 * sources through tsx instead of dist/.
 */
export async function main(argv: string[], root: string, development = false): Promise<void> {
  if (development) settings.enableAutoTranspile = true
  try {
    await run(argv, root)
    await flush()
    // A keychain call whose timeout a command chose to survive (a best-effort clean-up) would
    // hold the exit: write out what is pending, then end.
    if (keychainCallsPending() > 0) {
      await new Promise((done) => process.stdout.write('', () => process.stderr.write('', done)))
      await exitIfKeychainStuck()
    }
  } catch (err) {
    const ours = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv
    const code = reportError(err, process.stderr, ours.includes('--debug'))
    process.stderr.write('', async () => {
      await exitIfKeychainStuck()
      process.exit(code)
    })
  }
}
