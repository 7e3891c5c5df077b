/**
 * The full CLI's entry: scripts/build.mjs bundles it, with oclif, into one CommonJS file
 * (dist/cli/bundle.cjs) that bin/run.js loads with V8's code cache (bin/load-bundle.cjs). oclif
 * finds what it loads by name in this module's exports (package.json's oclif targets: the command
 * table, the help class and the command_not_found hook), so a command that is not a cache hit
 * loads one file, not ~250 (issue 27: ~0.2 CPU-s of every such start).
 */
export { COMMANDS } from './commands.js'
export { default as VaultHelp } from './help.js'
export { default as commandNotFound } from './hooks/command-not-found.js'
export { main } from './main.js'
