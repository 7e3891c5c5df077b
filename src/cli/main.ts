import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { flush, run, settings } from '@oclif/core'
import { keychainCallsPending } from '../stores/native-calls.js'
import { defaultBin } from './bin-name.js'
import { exitIfKeychainStuck } from './hard-exit.js'
import { reportError } from './report-error.js'

/**
 * Entry point shared by bin/run.js and bin/dev.js. `development` makes oclif load the TypeScript
 * sources through tsx instead of dist/. `bin` is the name the user ran (bin-name.ts): oclif's
 * config.bin, which help examples and shell-init use.
 */
export async function main(argv: string[], root: string, development = false, bin = defaultBin): Promise<void> {
  if (development) settings.enableAutoTranspile = true
  try {
    await run(argv, bin === defaultBin && !development ? root : { root, pjson: ownPjson(root, bin, development) })
    await flush()
    // A keychain call whose timeout a command chose to survive (a best-effort clean-up) would
    // hold the exit: write out what is pending, then end.
    if (keychainCallsPending() > 0) {
      await new Promise((done) => process.stdout.write('', () => process.stderr.write('', done)))
      await exitIfKeychainStuck()
    }
  } catch (err) {
    const ours = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv
    const code = reportError(err, process.stderr, ours.includes('--debug'), bin)
    process.stderr.write('', async () => {
      await exitIfKeychainStuck()
      process.exit(code)
    })
  }
}

/**
 * package.json with oclif's `bin` set to the name the user ran. oclif reloads its Config from these
 * options for each command, so a Config edited after loading would not last. In development, the
 * targets that name the CLI bundle (dist/cli/bundle.cjs) name its entry's compiled module instead
 * (dist/cli/bundle.js): oclif's auto-transpile maps that to src/cli/bundle.ts where it can register
 * a TypeScript loader, and loads the compiled module where it cannot, as it did dist/commands/.
 */
function ownPjson(root: string, bin: string, development: boolean) {
  const text = readFileSync(join(root, 'package.json'), 'utf8')
  const pjson = JSON.parse(development ? text.replaceAll('./dist/cli/bundle.cjs', './dist/cli/bundle.js') : text)
  return { ...pjson, oclif: { ...pjson.oclif, bin } }
}
