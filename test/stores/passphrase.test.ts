import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { StoreError } from '../../src/errors.js'
import { FileStore, passphraseSource } from '../../src/stores/file-store.js'

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

// Drives a child on a fresh pseudo-terminal (its controlling terminal): waits for the prompt,
// types the answer, and echoes everything the terminal showed.
const PTY = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
shown, sent, deadline = b'', False, time.time() + 20
while time.time() < deadline:
    if select.select([fd], [], [], 0.1)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    if not sent and b'Enter passphrase' in shown:
        time.sleep(0.2)
        os.write(fd, b'hunter2\\r')
        sent = True
os.waitpid(pid, 0)
sys.stdout.write(shown.decode('utf8', 'replace'))
`

describe('terminalPrompt', () => {
  it('asks on the terminal with the input masked, keeping stdout clean', () => {
    const out = join(root, 'prompt-stdout.json')
    const driver = fileURLToPath(new URL('./prompt-driver.ts', import.meta.url))
    const command = `exec "${process.execPath}" --import tsx "${driver}" > "${out}"`
    const r = spawnSync('/usr/bin/python3', ['-c', PTY, 'sh', '-c', command], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /Enter passphrase to unlock \/tmp\/keys/)
    assert.match(r.stdout, /\*{7}/)
    assert.ok(!r.stdout.includes('hunter2'), 'the passphrase was echoed')
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { answer: 'hunter2' })
  })
})
