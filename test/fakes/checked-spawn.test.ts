// Issue 25: every setup step of the e2e harness and the private keyring checks its result.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkedSpawn } from './checked-spawn.js'

const env = { PATH: process.env.PATH }

describe('checkedSpawn: a setup step that fails says what failed', () => {
  it('returns stdout on exit 0, with the input on stdin', () => {
    assert.equal(checkedSpawn('echoing', 'cat', [], { env, input: 'x' }), 'x')
  })
  it('a non-zero exit names the step, the command, the status and the output', () => {
    assert.throws(() => checkedSpawn('storing the item', 'sh', ['-c', 'echo nope >&2; exit 3'], { env }), {
      message: 'test setup: storing the item failed: sh -c echo nope >&2; exit 3 exited with 3: nope',
    })
  })
  it('a timeout says so', () => {
    assert.throws(() => checkedSpawn('waiting', 'sleep', ['5'], { env, timeoutMs: 200 }), {
      message: 'test setup: waiting failed: sleep 5 timed out after 200 ms',
    })
  })
  it('a missing program says it could not start', () => {
    assert.throws(() => checkedSpawn('running it', 'no-such-program-vault', [], { env }), {
      message: 'test setup: running it failed: no-such-program-vault could not start (ENOENT)',
    })
  })
})
