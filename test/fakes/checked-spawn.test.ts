// Issue 25: every setup step of the e2e harness and the private keyring checks its result.
// The children are node itself, so this runs wherever the quick layer does.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkedSpawn } from './checked-spawn.js'

const env = { ...process.env }
const node = process.execPath

describe('checkedSpawn: a setup step that fails says what failed', () => {
  it('returns stdout on exit 0, with the input on stdin', () => {
    assert.equal(checkedSpawn('echoing', node, ['-e', 'process.stdin.pipe(process.stdout)'], { env, input: 'x' }), 'x')
  })
  it('a non-zero exit names the step, the command, the status and the output', () => {
    const script = 'console.error("nope"); process.exit(3)'
    assert.throws(() => checkedSpawn('storing the item', node, ['-e', script], { env }), {
      message: `test setup: storing the item failed: ${node} -e ${script} exited with 3: nope`,
    })
  })
  it('a timeout says so', () => {
    assert.throws(() => checkedSpawn('waiting', node, ['-e', 'setTimeout(() => {}, 5000)'], { env, timeoutMs: 200 }), {
      message: `test setup: waiting failed: ${node} -e setTimeout(() => {}, 5000) timed out after 200 ms`,
    })
  })
  it('a missing program says it could not start', () => {
    assert.throws(() => checkedSpawn('running it', 'no-such-program-vault', [], { env }), {
      message: 'test setup: running it failed: no-such-program-vault could not start (ENOENT)',
    })
  })
})
