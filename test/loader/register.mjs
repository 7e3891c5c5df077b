// `node --import <this file's URL>` (test/loader/run-ts.mjs declares it): runs TypeScript files as
// tsx did, for less than half its start-up CPU (`node --import … -e 0` on the 2-core machine,
// medians of 9: 0.XX CPU-s against tsx's 0.XX, bare node 0.XX; issue 27). The suite starts ~80 test
// processes and hundreds of driver processes, each paying it. It does less than tsx: ES modules only
// (this repo has no CommonJS TypeScript), no tsconfig paths, no watch mode; see hooks.mjs.
import { register } from 'node:module'

// Stack traces name the .ts file and line, through the source maps the hooks inline.
process.setSourceMapsEnabled(true)
register('./hooks.mjs', import.meta.url)
