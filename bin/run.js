#!/usr/bin/env node
// A running agent (vault agent start) is asked first, by a client small enough to cost only a
// round trip (src/agent/fast-client.ts). Then cache hits for export, exec and list are served from
// one CommonJS bundle without loading oclif (see src/fast/entry.ts). Everything else, and every
// cache miss, runs the full CLI.
// This file is CommonJS (bin/package.json) so that a cache hit never starts the ESM loader.
'use strict'

const { join } = require('node:path')

require(join(__dirname, '..', 'dist', 'fast-bundle', 'agent-client.cjs'))
  .tryAgent(process.argv.slice(2))
  .then(async (agent) => {
    if (typeof agent === 'number') {
      process.exitCode = agent
      return
    }
    const { binName, fastPath, logPath, prepareArgv } = require('./fast-loader.cjs').loadFastBundle()
    const argv = prepareArgv(process.argv.slice(2))
    // The name the user ran (npm links both vault and awsvault to this file): shell-init, help
    // examples and the advice in errors name it.
    const bin = binName(process.argv[1])
    // 'full': the agent needs the user (a code, a passphrase), which only the full CLI asks for.
    const code = agent === 'full' ? undefined : await fastPath(argv, process.env, {}, bin)
    if (code !== undefined) {
      process.exitCode = code
      return
    }
    logPath('full')
    const { main } = await import('../dist/cli/main.js')
    // oclif finds the CLI through the repository's package.json, not bin/package.json.
    await main(argv, join(__dirname, '..'), false, bin)
  })
