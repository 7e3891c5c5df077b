import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { formatDuration, parseDuration } from '../../src/config/duration.js'

describe('parseDuration', () => {
  const good: Array<[string, number]> = [
    ['3600', 3600],
    [' 900 ', 900],
    ['90m', 5400],
    ['8h', 28800],
    ['1h30m', 5400],
    ['45s', 45],
    ['1h0m30s', 3630],
    ['1.5h', 5400],
    ['0', 0],
  ]
  for (const [text, seconds] of good) {
    test(`${JSON.stringify(text)} is ${seconds}s`, () => assert.equal(parseDuration(text), seconds))
  }

  const bad = ['', 'abc', '10x', '1h30', 'h', '-5', '1..5h', '1 h', '1H', '3600 s']
  for (const text of bad) {
    test(`${JSON.stringify(text)} is rejected with a hint`, () => {
      assert.throws(() => parseDuration(text), {
        name: 'RangeError',
        message: /is not a duration: use seconds \(3600\) or units such as 90m/,
      })
    })
  }
})

describe('formatDuration', () => {
  const rows: Array<[number, string]> = [
    [0, '0s'],
    [45, '45s'],
    [3600, '1h'],
    [5400, '1h30m'],
    [28800, '8h'],
    [3661, '1h1m1s'],
  ]
  for (const [seconds, text] of rows) test(`${seconds} → ${text}`, () => assert.equal(formatDuration(seconds), text))
})
