import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { StoreError } from '../../src/errors.js'
import { quote } from '../../src/shell/completion.js'
import { FileStore, passphraseSource } from '../../src/stores/file-store.js'
import { tsNode } from '../loader/run-ts.mjs'
import { onPty } from '../terminal/pty.js'

const root = mkdtempSync(join(tmpdir(), 'vault-passphrase-'))
after(() => rmSync(root, { recursive: true, force: true }))

function countingPrompt(answer: string) {
  const messages: string[] = []
  return {
    messages,
    prompt: async (message: string) => {
      messages.push(message)
      return answer
    },
  }
}

describe('passphraseSource', () => {
  it('uses AWS_VAULT_FILE_PASSPHRASE without prompting, even when it is empty', async () => {
    const p = countingPrompt('typed')
    assert.equal(
      await passphraseSource({ env: { AWS_VAULT_FILE_PASSPHRASE: 'from-env' }, isTTY: true, prompt: p.prompt })('/d'),
      'from-env',
    )
    assert.equal(
      await passphraseSource({ env: { AWS_VAULT_FILE_PASSPHRASE: '' }, isTTY: true, prompt: p.prompt })('/d'),
      '',
    )
    assert.equal(p.messages.length, 0)
  })

  it('with no terminal and no variable, fails at once with a clear error', async () => {
    const started = Date.now()
    await assert.rejects(passphraseSource({ env: {}, isTTY: false })('/home/u/.awsvault/keys'), (err: StoreError) => {
      assert.ok(err instanceof StoreError)
      assert.equal(err.reason, 'passphrase')
      assert.equal(
        err.message,
        'cannot unlock the file backend at /home/u/.awsvault/keys: no terminal and AWS_VAULT_FILE_PASSPHRASE is not set',
      )
      assert.match(err.hint ?? '', /AWS_VAULT_FILE_PASSPHRASE/)
      return true
    })
    assert.ok(Date.now() - started < 500)
  })

  it('prompts on the terminal once per process, and only when the store first needs it', async () => {
    const dir = join(root, 'once')
    const p = countingPrompt('typed-passphrase')
    const store = new FileStore({ dir, passphrase: passphraseSource({ env: {}, isTTY: true, prompt: p.prompt }) })
    await store.keys()
    assert.equal(p.messages.length, 0)
    await store.set({ key: 'a', data: '1' })
    await store.set({ key: 'b', data: '2' })
    assert.equal((await store.get('a'))?.data, '1')
    assert.deepEqual(p.messages, [`Enter passphrase to unlock ${dir}`])
  })

  it('a file store with items and no way to get the passphrase fails fast instead of hanging', async () => {
    const dir = join(root, 'headless')
    await new FileStore({ dir, passphrase: async () => 'pw' }).set({ key: 'caktus', data: '{}' })
    const headless = new FileStore({ dir, passphrase: passphraseSource({ env: {}, isTTY: false }) })
    assert.deepEqual(await headless.keys(), ['caktus'])
    await assert.rejects(headless.get('caktus'), {
      reason: 'passphrase',
      message: /no terminal and AWS_VAULT_FILE_PASSPHRASE is not set/,
    })
  })
})

describe('terminalPrompt', () => {
  it('asks on the terminal with the input masked, keeping stdout clean', () => {
    const out = join(root, 'prompt-stdout.json')
    const driver = fileURLToPath(new URL('./prompt-driver.ts', import.meta.url))
    const command = `exec ${[process.execPath, ...tsNode, driver].map(quote).join(' ')} > ${quote(out)}`
    const shown = onPty(command, 'Enter passphrase', 'hunter2')
    assert.match(shown, /Enter passphrase to unlock \/tmp\/keys/)
    assert.match(shown, /\*{7}/)
    assert.ok(!shown.includes('hunter2'), 'the passphrase was echoed')
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { answer: 'hunter2' })
  })
})
