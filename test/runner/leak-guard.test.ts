/**
 * test/leak-guard.mjs, as test/run.js uses it (each test process imports its files, then the
 * guard): a process that something a test left open still holds is ended and fails, naming what
 * holds it, with every result it had written; a process that closed everything ends at once,
 * passing, however long the grace.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'

const dir = mkdtempSync(join(tmpdir(), 'vault-leak-guard-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const guard = new URL('../leak-guard.mjs', import.meta.url).href

/** A test process as test/run.js starts one: `body` as a test file, then the guard. */
function runTests(name: string, body: string, graceMs: number) {
  const file = join(dir, `${name}.mjs`)
  writeFileSync(file, `import { it } from 'node:test'\n${body}\n`)
  const entry = join(dir, `${name}-entry.mjs`)
  writeFileSync(entry, `import ${JSON.stringify(pathToFileURL(file).href)}\nimport ${JSON.stringify(guard)}\n`)
  // Without this test's own node:test context, which would make the child skip its files.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env
  return spawnSync(process.execPath, ['--test', '--test-reporter=tap', entry], {
    encoding: 'utf8',
    env: { ...env, VAULT_TEST_LEAK_GRACE_MS: String(graceMs) },
    // Far past the 60 s grace below: a guard that held a clean process would be seen, not waited on.
    timeout: 50_000,
  })
}

describe('the leak guard (test/leak-guard.mjs)', () => {
  it('ends a process a left-open server holds, fails it, names the server, and keeps its results', () => {
    const res = runTests(
      'leaky',
      `import { createServer } from 'node:net'
it('first', () => {})
it('opens a server and leaves it', async () => {
  await new Promise((r) => createServer().listen(0, '127.0.0.1', r))
})`,
      500,
    )
    const out = res.stdout + res.stderr
    // Not ended by spawnSync's deadline (on which node --test also exits 1, the message printed).
    assert.equal(res.error, undefined, 'the guard did not end the held process')
    assert.equal(res.status, 1, out)
    assert.match(out, /its tests ended 0\.5 s ago, and its process is still held \([^)]*TCPServerWrap/)
    assert.match(out, /ok 1 - first/)
    assert.match(out, /ok 2 - opens a server and leaves it/)
  })

  it('lets a process that closed everything end at once, passing', () => {
    const res = runTests(
      'clean',
      `import { createServer } from 'node:net'
it('opens a server and closes it', async () => {
  const s = createServer()
  await new Promise((r) => s.listen(0, '127.0.0.1', r))
  await new Promise((r) => s.close(r))
})`,
      60_000,
    )
    assert.equal(res.error, undefined, 'the guard held a process that had closed everything')
    assert.equal(res.status, 0, res.stdout + res.stderr)
    assert.match(res.stdout, /ok 1 - opens a server and closes it/)
    assert.doesNotMatch(res.stdout, /still held/)
  })
})
