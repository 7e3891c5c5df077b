/**
 * issue 28: each request another user sent printed one warning (500 requests, 500 lines). The
 * first is shown, the rest of the minute counted, and the count said with the next one shown, or
 * when the server closes. A fake clock.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { limitedWarn, refusalWarningEveryMs } from '../../src/server/warn-limit.js'
import { fixedClock } from '../fakes/fakes.js'

describe('warnings about refused requests are rate-limited (issue 28)', () => {
  it('500 refusals in a burst: one line, then the count when the server closes', () => {
    const clock = fixedClock()
    const lines: string[] = []
    const warn = limitedWarn((m) => lines.push(m), clock, 'ecs server')
    for (let i = 0; i < 500; i++) warn(`ecs server: refused GET /: request ${i}`)
    assert.deepEqual(lines, ['ecs server: refused GET /: request 0'])
    warn.flush()
    assert.deepEqual(lines.slice(1), ['ecs server: 499 more requests were refused'])
    warn.flush()
    assert.equal(lines.length, 2, 'nothing more to say')
  })

  it('a steady stream: at most one line a minute, each with the count left unsaid before it', () => {
    const clock = fixedClock()
    const lines: string[] = []
    const warn = limitedWarn((m) => lines.push(m), clock, 'ec2 server')
    // One request a second for three minutes.
    for (let s = 0; s < 180; s++) {
      warn(`refused ${s}`)
      clock.advance(1)
    }
    assert.deepEqual(lines, [
      'refused 0',
      'refused 60 (and 59 more refused since the last warning)',
      'refused 120 (and 59 more refused since the last warning)',
    ])
    assert.equal(refusalWarningEveryMs, 60_000)
  })

  it('one refusal after a quiet spell is shown at once, with no count', () => {
    const clock = fixedClock()
    const lines: string[] = []
    const warn = limitedWarn((m) => lines.push(m), clock, 'ecs server')
    warn('a')
    clock.advance(3600)
    warn('b')
    warn.flush()
    assert.deepEqual(lines, ['a', 'b'])
  })
})
