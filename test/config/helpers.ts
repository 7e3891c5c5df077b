import assert from 'node:assert/strict'
import type { Logger } from '../../src/runtime/types.js'

export const CONFIG_PATH = '/home/u/.aws/config'

/** A --debug logger that keeps its lines, for asserting on notes. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return { enabled: true, lines, debug: (m: string) => void lines.push(m) }
}

/** A logger that is off and fails the test if anything is formatted for it. */
export const offLogger: Logger = {
  enabled: false,
  debug: (m: string) => assert.fail(`debug called while disabled: ${m}`),
}

/** Strip the common indentation of a template literal so INI fixtures can be indented in tests. */
export function ini(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n')
  const indents = lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length)
  const cut = Math.min(...indents)
  return lines.map((l) => l.slice(cut)).join('\n')
}

/** Assert that every key in `expected` matches `actual` (recursively for plain objects). */
export function assertSubset(actual: unknown, expected: unknown, path = '$'): void {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${String(actual)}`)
    for (const [k, v] of Object.entries(expected)) {
      assertSubset((actual as Record<string, unknown>)[k], v, `${path}.${k}`)
    }
    return
  }
  assert.deepEqual(actual, expected, `${path}`)
}
