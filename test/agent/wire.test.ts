import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { describe, it } from 'node:test'
import { MAX_LINE, type Message, readLines } from '../../src/agent/wire.js'

/** readLines over a stream standing in for a socket. */
function feed(chunks: string[]): { lines: Message[]; faults: string[] } {
  const stream = new PassThrough()
  const lines: Message[] = []
  const faults: string[] = []
  readLines(
    stream as never,
    (m) => lines.push(m),
    (f) => faults.push(f),
  )
  for (const c of chunks) stream.write(c)
  return { lines, faults }
}

describe('agent wire: newline-delimited JSON, capped', () => {
  it('reads objects split across chunks and several in one chunk', async () => {
    const r = feed(['{"op":"st', 'atus"}\n{"answer":"1"}\n{"a', '":2}\n'])
    await new Promise((res) => setImmediate(res))
    assert.deepEqual(r.lines, [{ op: 'status' }, { answer: '1' }, { a: 2 }])
    assert.deepEqual(r.faults, [])
  })

  it('garbage, a non-object and an oversized line are faults; nothing is read after one', async () => {
    for (const [input, fault] of [
      ['not json\n{"op":"status"}\n', 'request is not JSON'],
      ['[1,2]\n', 'request is not a JSON object'],
      [`{"pad":"${'x'.repeat(MAX_LINE)}"}\n`, `request longer than ${MAX_LINE} bytes`],
      // No newline yet, already too long: refused before the rest arrives.
      ['x'.repeat(MAX_LINE + 1), `request longer than ${MAX_LINE} bytes`],
    ]) {
      const r = feed([input])
      await new Promise((res) => setImmediate(res))
      assert.deepEqual(r.faults, [fault], input.slice(0, 20))
      assert.deepEqual(r.lines, [])
    }
  })
})
