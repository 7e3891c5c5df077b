// `node --import <this file's URL>` (test/loader/run-ts.mjs declares it): runs TypeScript files as
// tsx did, for less than half its start-up CPU. On the 2-core test machine, medians of 9 runs
// (issue 27): `node -e 0` 0.13 CPU-s, with this loader 0.27, with tsx 0.63; a store driver
// (test/stores/keychain-driver.ts) 0.27–0.32 against 0.78; `node --test` on one file, which is two
// processes, 0.71 against 1.31. The suite starts ~80 test processes and many drivers, each paying it.
// Most of what is left is Node's: hooks registered with register() run on a thread of their own
// (an empty hook costs 0.23). A file not in the cache costs more once (~0.47 for the driver's 18).
// It does less than tsx: ES modules only (this repo has no CommonJS TypeScript), no tsconfig
// paths, no watch mode (see hooks.mjs). tsx stays a devDependency: bin/dev.js runs on it (oclif's
// development mode registers tsx itself to load the commands' sources), and so do bench/'s scripts.
import { register } from 'node:module'

// Stack traces name the .ts file and line, through the source maps the hooks inline.
process.setSourceMapsEnabled(true)
register('./hooks.mjs', import.meta.url)
