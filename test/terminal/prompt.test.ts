// issue 27: one terminal prompt module (src/terminal/prompt.ts) for the passphrase, the MFA code and
// add's and remove's questions; its bytes on the terminal are the MFA prompt's as before, it
// escapes control characters in what it prints, and it gives up at a deadline.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { quote } from '../../src/shell/completion.js'
import { tsNode } from '../loader/run-ts.mjs'
import { onPty } from './pty.js'

const root = mkdtempSync(join(tmpdir(), 'vault-terminal-'))
after(() => rmSync(root, { recursive: true, force: true }))

function converse(mode: string, replyAfter = '', reply = ''): { shown: string; result: Record<string, unknown> } {
  const out = join(root, `${mode}.json`)
  const driver = fileURLToPath(new URL('./prompt-driver.ts', import.meta.url))
  const command = `exec ${[process.execPath, ...tsNode, driver, mode].map(quote).join(' ')} > ${quote(out)}`
  const shown = onPty(command, replyAfter, reply)
  return { shown, result: JSON.parse(readFileSync(out, 'utf8')) }
}

describe('src/terminal/prompt.ts on a real terminal', () => {
  it('the MFA prompt: its bytes, the retry after a typo, and the serial with its ESC escaped', () => {
    const { shown, result } = converse('mfa', 'Enter MFA code', '12\n123456')
    assert.deepEqual(result, { answer: '123456' })
    const serial = 'arn:aws:iam::123456789012:mfa/a\\x1b[2Jb'
    assert.ok(shown.includes(`Enter MFA code for ${serial}: `), shown)
    assert.ok(shown.includes(`An MFA code is six digits. Enter MFA code for ${serial}: `), shown)
    assert.ok(!shown.includes('\x1b[2J'), 'a control sequence from the config reached the terminal')
  })

  it('a line nobody types: a CancelledError at the deadline, not a hang', () => {
    const { shown, result } = converse('line-deadline')
    assert.ok(shown.includes('Code: '))
    assert.deepEqual(result, { error: 'CancelledError', message: 'no answer on the terminal within 2 s' })
  })

  it('a hidden question nobody answers: the same', () => {
    const { shown, result } = converse('hidden-deadline')
    assert.ok(shown.includes('Secret'))
    assert.deepEqual(result, { error: 'CancelledError', message: 'no answer on the terminal within 2 s' })
  })
})
