import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cycleError } from '../../src/config/cycle.js'
import { ConfigError } from '../../src/errors.js'

describe('cycleError: the one wording of include_profile and source_profile loops', () => {
  it('none when the next profile is not on the path', () => {
    assert.equal(cycleError('source_profile', ['a', 'b'], 'c', '/c'), undefined)
  })

  it('names the loop from its first repeat, the file, and what to change', () => {
    const include = cycleError('include_profile', ['x', 'a', 'b'], 'a', '/home/u/.aws/config')
    assert.ok(include instanceof ConfigError)
    assert.equal(include.message, 'include_profile cycle: a → b → a in /home/u/.aws/config')
    assert.equal(include.hint, 'remove include_profile from one of these profiles')
    const source = cycleError('source_profile', ['a'], 'a', '/c')
    assert.equal(source?.message, 'source_profile cycle: a → a in /c')
    assert.equal(source?.hint, 'change source_profile in one of these profiles')
  })
})
