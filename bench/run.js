#!/usr/bin/env node
// Runs every bench/*.bench.ts (or those whose name contains BENCH_ONLY) in turn; each prints its figures.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const dir = new URL('.', import.meta.url).pathname
const only = process.env.BENCH_ONLY
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
  .sort()
let failed = 0
for (const script of scripts) {
  console.log(`\n== ${script}`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, script)], { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)
