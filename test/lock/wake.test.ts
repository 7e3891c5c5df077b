import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { waker } from '../../src/lock/wake.js'

const root = mkdtempSync(join(tmpdir(), 'vault-wake-'))
after(() => rmSync(root, { recursive: true, force: true }))

// Issue 28: waiters that looked at the lock every 10-50 ms took most of a core between them under
// 64 cold exports on 2 cores; they now sleep until the lock's entry changes, or a pause ends.
describe('waker', () => {
  it("ends a pause when the lock's entry changes, and not for other entries", async () => {
    const w = waker(root, 'x.lock')
    try {
      const long = 60_000
      const other = w.pause(20, long)
      setTimeout(() => mkdirSync(join(root, 'x.lock-draft')), 50)
      setTimeout(() => mkdirSync(join(root, 'x.lock')), 300)
      const started = Date.now()
      assert.equal(await other, 'changed')
      assert.ok(Date.now() - started >= 200, 'a draft beside the lock woke the waiter')
      // A change while the waiter looks (between two pauses) ends the next pause at once.
      rmdirSync(join(root, 'x.lock'))
      await new Promise((r) => setTimeout(r, 200))
      assert.equal(await w.pause(20, long), 'changed')
    } finally {
      w.close()
    }
  })

  it('without a change, pauses grow from 10 ms up to the longest', async () => {
    const w = waker(join(root, 'missing'), 'x.lock') // nothing to watch: pauses alone
    try {
      const timed = async (n: number, longest: number) => {
        const started = performance.now()
        assert.equal(await w.pause(n, longest), 'time')
        return performance.now() - started
      }
      assert.ok((await timed(0, 500)) < 400, 'the first pause is short')
      assert.ok((await timed(10, 100)) >= 45, 'a pause is at least half the longest')
    } finally {
      w.close()
    }
  })
})
