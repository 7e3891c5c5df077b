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
// --quick (npm run test:quick) or TEST_LAYER=quick: the unit, domain and command layers, and test/platform/ (what CI runs on macOS
// and Windows): no end-to-end test, and none of the files that need Linux's services (a private
// gnome-keyring or D-Bus, pass and gpg, /proc, moto).
const linuxServices = [
  'server/peer-uid.test.ts',
  'sso/stand-in.test.ts',
  'aws-vault/secret-service.test.ts',
  'dbus/connection.test.ts',
  'stores/index-real.test.ts',
  'stores/keychain-real.test.ts',
  'stores/keychain-store.test.ts',
  'stores/pass-store.test.ts',
]
const quick = (f) =>
  !f.split(/[\\/]/).includes('e2e') &&
  !f.endsWith('.e2e.test.ts') &&
  !linuxServices.some((l) => f.replaceAll('\\', '/').endsWith(l))
const passed = process.argv.slice(2)
const layer = passed.includes('--quick') ? 'quick' : process.env.TEST_LAYER
if (layer && layer !== 'quick') {
  console.error(`TEST_LAYER=${layer}: the only layer is quick`)
  process.exit(2)
}
const filter = process.env.TEST_ONLY
const selected = (layer ? files.filter(quick) : files).filter((f) => !filter || f.includes(filter))
// With no file, node --test would run its own discovery (test/run.js and test/stress.js among them).
if (selected.length === 0) {
  console.error(`TEST_ONLY=${filter} names no test file under test/`)
  process.exit(2)
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...passed.filter((a) => a !== '--quick'), ...selected],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
