#!/usr/bin/env node
// Cache hits for export, exec and list are served from one CommonJS bundle without loading
// oclif (see src/fast/entry.ts). Everything else, and every cache miss, runs the full CLI.
// This file is CommonJS (bin/package.json) so that a cache hit never starts the ESM loader.
'use strict'

const { binName, fastPath, logPath, prepareArgv } = require('./fast-loader.cjs').loadFastBundle()
const argv = prepareArgv(process.argv.slice(2))
// The name the user ran (npm links both vault and awsvault to this file): shell-init, help
// examples and the advice in errors name it.
const bin = binName(process.argv[1])

fastPath(argv, process.env, {}, bin).then(async (code) => {
  if (code !== undefined) {
    process.exitCode = code
    return
  }
  logPath('full')
  const { main } = await import('../dist/cli/main.js')
  // oclif finds the CLI through the repository's package.json, not bin/package.json.
  await main(argv, require('node:path').join(__dirname, '..'), false, bin)
})
