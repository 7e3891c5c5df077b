#!/usr/bin/env node
// Runs every test file under test/ with node:test and tsx. Node 20's --test has no glob support,
// so the files are collected here. Extra arguments are passed to node (e.g. --test-name-pattern).
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('.', import.meta.url).pathname
const files = readdirSync(root, { recursive: true })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => relative(process.cwd(), join(root, f)))
  .sort()
const filter = process.env.TEST_ONLY
const selected = filter ? files.filter((f) => f.includes(filter)) : files
// With no file, node --test would run its own discovery (test/run.js and test/stress.js among them).
if (selected.length === 0) {
  console.error(`TEST_ONLY=${filter} names no test file under test/`)
  process.exit(2)
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...process.argv.slice(2), ...selected],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
