#!/usr/bin/env -S node --import tsx --no-warnings
// Runs the TypeScript sources directly (no build, no fast path), for development:
//   bin/dev.js exec caktus -- aws s3 ls
'use strict'

const root = require('node:path').join(__dirname, '..')
import('../src/fast/entry.ts').then(async ({ prepareArgv }) => {
  const { main } = await import('../src/cli/main.ts')
  await main(prepareArgv(process.argv.slice(2)), root, true)
})
