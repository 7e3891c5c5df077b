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
    process.exitCode = reportError(err, process.stderr, argv.includes('--debug'))
  }
}
