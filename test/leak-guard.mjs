// Imported last by each test process that test/run.js starts (its generated entry files): once the
// process's tests have all ended, something the tests started and never closed (a child's pipe, a
// server, a timer) may still hold its event loop, and then the process would never end, nor the
// run, until CI's deadline. This ends such a process, and fails it, naming what held it.
//
// Not node's --test-force-exit: it ends the process the moment the last test ends, before the
// process has written all its results, so that a run reports fewer tests than ran, exit code 0 (seen
// here: 983 of 985 once in four quick runs, one file's last results missing; node's own issue
// tracker has the same, on Node 20 and 22). Here the process gets GRACE_MS to end by itself, which
// a process that closed everything does at once, and long after its results are written.
import { after } from 'node:test'

// VAULT_TEST_LEAK_GRACE_MS: its own test (test/runner/leak-guard.test.ts) waits less.
const GRACE_MS = Number(process.env.VAULT_TEST_LEAK_GRACE_MS ?? 20_000)

after(() => {
  setTimeout(() => {
    const held = process
      .getActiveResourcesInfo()
      .filter((r) => r !== 'Timeout')
      .join(', ')
    process.stderr.write(
      `test/leak-guard.mjs: ${process.argv[1]}: its tests ended ${GRACE_MS / 1000} s ago, and its process is still held (${held || 'a timer'}): a test left something open\n`,
    )
    process.exit(1)
  }, GRACE_MS).unref()
})
