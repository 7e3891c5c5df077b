import { flush, run, settings } from '@oclif/core'
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
  } catch (err) {
    const code = reportError(err, process.stderr, argv.includes('--debug'))
    // Exit now rather than when the event loop drains: a keychain call that timed out may still
    // hold a libuv worker thread, and a failed command must not linger.
    process.stderr.write('', () => process.exit(code))
  }
}
