#!/usr/bin/env -S node --import tsx --no-warnings
// Runs the TypeScript sources directly (no build, no fast path), for development:
//   bin/dev.js exec caktus -- aws s3 ls
'use strict'

import('../src/cli/main.ts').then(({ main }) =>
  main(process.argv.slice(2), require('node:path').join(__dirname, '..'), true),
)
