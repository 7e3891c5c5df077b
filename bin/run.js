#!/usr/bin/env node
// A running agent (vault agent start) is asked first, by a client small enough to cost only a
// round trip (src/agent/fast-client.ts). Then cache hits for export, exec, list and status, and
// every clear, are served from one CommonJS bundle without loading oclif (see src/fast/entry.ts).
// Everything else, and every cache miss, runs the full CLI, itself one bundle with oclif
// (src/cli/bundle.ts).
// This file is CommonJS (bin/package.json) so that a cache hit never starts the ESM loader.
'use strict'

const { join } = require('node:path')

// The bundles require() ES-module-only packages (bin/load-bundle.cjs): Node does from 20.19 and
// 22.12 (package.json's engines), and says so in process.features.
if (process.features.require_module !== true) {
  process.stderr.write(`vault: needs Node.js 20.19+ or 22.12+ (this is ${process.version}); install a newer Node.js\n`)
  process.exit(1)
}

require(join(__dirname, '..', 'dist', 'fast-bundle', 'agent-client.cjs'))
  .tryAgent(process.argv.slice(2))
  .then(async (agent) => {
    if (typeof agent === 'number') {
      process.exitCode = agent
      return
    }
    const { binName, fastPath, logPath, prepareArgv } = require('./load-bundle.cjs').loadBundle('fast')
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
    const { main } = require('./load-bundle.cjs').loadBundle('cli')
    // oclif finds the CLI through the repository's package.json, not bin/package.json.
    await main(argv, join(__dirname, '..'), false, bin)
  })
