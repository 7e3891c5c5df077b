import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keyedQueue } from '../../src/lock/queue.js'

// Issue 27: the session cache and the store index each had their own in-process queue; one is left.
describe('keyedQueue', () => {
  it('runs callers of one key one at a time, in order; other keys run alongside', async () => {
    const queue = keyedQueue()
    const log: string[] = []
    let bDone!: () => void
    const bFinished = new Promise<void>((r) => (bDone = r))
    // a1 finishes only once b1 has: b1 must not wait behind a1. a2 must wait behind a1.
    const a1 = queue('a', async () => {
      log.push('a1 in')
      await bFinished
      log.push('a1 out')
      return 1
    })
    const a2 = queue('a', async () => {
      log.push('a2 in')
      return 2
    })
    const b1 = queue('b', async () => {
      log.push('b1 in')
      bDone()
      return 3
    })
    assert.deepEqual(await Promise.all([a1, a2, b1]), [1, 2, 3])
    assert.deepEqual(log, ['a1 in', 'b1 in', 'a1 out', 'a2 in'])
  })

  it("a caller's failure is its own: the next caller of the key runs", async () => {
    const queue = keyedQueue()
    const failed = queue('k', async () => {
      throw new Error('boom')
    })
    const next = queue('k', async () => 'ran')
    await assert.rejects(failed, /boom/)
    assert.equal(await next, 'ran')
  })
})
