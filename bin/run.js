#!/usr/bin/env node
// Cache hits for export, exec and list are served without loading oclif (see src/fast/entry.ts);
// everything else, and every cache miss, runs the full CLI.
import { fastPath } from '../dist/fast-bundle/entry.js'

const argv = process.argv.slice(2)
const code = await fastPath(argv)
if (code === undefined) {
  const { main } = await import('../dist/cli/main.js')
  await main(argv, import.meta.url)
} else {
  process.exitCode = code
}
