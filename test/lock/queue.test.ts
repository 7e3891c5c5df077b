import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keyedQueue } from '../../src/lock/queue.js'

// Issue 27: the session cache and the store index each had their own in-process queue; one is left.
describe('keyedQueue', () => {
  it('runs callers of one key one at a time, in order; other keys run alongside', async () => {
    const queue = keyedQueue()
    const log: string[] = []
    const job = (key: string, n: number, ms: number) =>
      queue(key, async () => {
        log.push(`${key}${n} in`)
        await new Promise((r) => setTimeout(r, ms))
        log.push(`${key}${n} out`)
        return n
      })
    const results = await Promise.all([job('a', 1, 60), job('a', 2, 5), job('b', 1, 5)])
    assert.deepEqual(results, [1, 2, 1])
    assert.ok(log.indexOf('a2 in') > log.indexOf('a1 out'), log.join(','))
    assert.ok(log.indexOf('b1 out') < log.indexOf('a1 out'), 'another key does not wait')
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
