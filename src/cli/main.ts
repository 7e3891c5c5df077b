import { flush, run, settings } from '@oclif/core'
import { isVaultError, type StoreError } from '../errors.js'
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
    const ours = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv
    const code = reportError(err, process.stderr, ours.includes('--debug'))
    process.stderr.write('', () => {
      // A keychain call that timed out still runs on a libuv worker thread, and Node waits for
      // those at exit (process.exit included): only a kill ends the process promptly.
      if (isVaultError(err) && (err as StoreError).reason === 'timeout') process.kill(process.pid, 'SIGKILL')
      process.exit(code)
    })
  }
}
