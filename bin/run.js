#!/usr/bin/env node
// Cache hits for export, exec and list are served from one CommonJS bundle without loading
// oclif (see src/fast/entry.ts). Everything else, and every cache miss, runs the full CLI.
// This file is CommonJS (bin/package.json) so that a cache hit never starts the ESM loader.
'use strict'

const argv = process.argv.slice(2)
const { fastPath } = require('../dist/fast-bundle/entry.cjs')

fastPath(argv).then(async (code) => {
  if (code !== undefined) {
    process.exitCode = code
    return
  }
  const { main } = await import('../dist/cli/main.js')
  // oclif finds the CLI through the repository's package.json, not bin/package.json.
  await main(argv, require('node:path').join(__dirname, '..'))
})
