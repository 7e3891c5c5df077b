// A file of its own: node --test runs each file in a fresh process, and the calls are process-wide.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keychainCallsPending, keychainCallsStuck, trackNativeCall } from '../../src/stores/native-calls.js'

describe('native-calls: what hard-exit.ts asks at exit', () => {
  it('a call within its deadline is waited for; one past it is stuck', async () => {
    let finish: () => void = () => {}
    trackNativeCall(
      new Promise<void>((resolve) => {
        finish = resolve
      }),
      5000,
    )
    setTimeout(() => finish(), 20)
    assert.equal(keychainCallsPending(), 1)
    assert.equal(await keychainCallsStuck(), false, 'a sibling call that ends by itself is not stuck')
    assert.equal(keychainCallsPending(), 0)
    trackNativeCall(new Promise(() => {}), 30)
    const started = Date.now()
    assert.equal(await keychainCallsStuck(), true)
    assert.ok(Date.now() - started >= 25, 'waited for the deadline first')
  })
})
