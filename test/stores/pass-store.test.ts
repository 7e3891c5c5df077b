import assert from 'node:assert/strict'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { StoreError, UsageError } from '../../src/errors.js'
import { createStore, passStoreDir } from '../../src/stores/backend.js'
import { PassStore } from '../../src/stores/pass-store.js'
import { makePassStore, type PassFixture } from './pass-fixture.js'

const creds = '{"AccessKeyID":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}'

/**
 * What aws-vault writes for `aws-vault add caktus` on the pass backend: 99designs/keyring pass.go
 * Set runs `pass insert -m -f PREFIX/KEY` with json.Marshal(keyring.Item) on stdin, and
 * vault/credentialkeyring.go Set makes that Item from json.Marshal(aws.Credentials) (aws-sdk-go-v2's
 * struct, every field), Label "aws-vault (caktus)" and KeychainNotTrustApplication true.
 */
const awsVaultCreds =
  '{"AccessKeyID":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","SessionToken":"","Source":"","CanExpire":false,"Expires":"0001-01-01T00:00:00Z","AccountID":""}'
const awsVaultItem = (key: string, data: string) =>
  `{"Key":"${key}","Data":"${Buffer.from(data).toString('base64')}","Label":"aws-vault (${key})","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}`

describe('pass backend (issue 14): aws-vault layout, real pass and gpg', () => {
  let fx: PassFixture
  before(async () => {
    fx = await makePassStore()
  })
  after(async () => {
    await fx?.cleanup()
  })
  const store = (prefix = '', extra: Partial<ConstructorParameters<typeof PassStore>[0]> = {}) =>
    new PassStore({ dir: fx.dir, cmd: 'pass', prefix, env: fx.env, timeoutMs: 20_000, ...extra })

  it('writes PREFIX/KEY with the keyring.Item JSON that pass show returns byte for byte', async () => {
    await store('aws-vault').set({ key: 'caktus', data: creds, label: 'aws-vault (caktus)' })
    const shown = fx.pass(['show', 'aws-vault/caktus'])
    assert.equal(shown.status, 0, shown.stderr)
    // Go's json.Marshal of keyring.Item: struct field order, Data as standard base64, no newline.
    assert.equal(
      shown.stdout,
      `{"Key":"caktus","Data":"${Buffer.from(creds).toString('base64')}","Label":"aws-vault (caktus)","Description":"","KeychainNotTrustApplication":false,"KeychainNotSynchronizable":false}`,
    )
    assert.deepEqual(JSON.parse(Buffer.from(JSON.parse(shown.stdout).Data, 'base64').toString()), JSON.parse(creds))
  })

  it("reads an entry written by `pass insert` in aws-vault's layout", async () => {
    const ins = fx.pass(['insert', '-m', '-f', 'saguaro'], awsVaultItem('saguaro', awsVaultCreds))
    assert.equal(ins.status, 0, ins.stderr)
    const item = await store().get('saguaro')
    assert.deepEqual(item, { key: 'saguaro', data: awsVaultCreds, label: 'aws-vault (saguaro)' })
  })

  it('lists keys under the prefix from the directory alone, and tells presence without gpg', async () => {
    const s = store('keys-test')
    await s.set({ key: 'b', data: '{}' })
    await s.set({ key: 'sts.GetSessionToken,Y2FrdHVz,,1700000000', data: '{}' })
    await s.set({ key: 'nested/a', data: '{}' })
    assert.deepEqual(await s.keys(), ['b', 'nested/a', 'sts.GetSessionToken,Y2FrdHVz,,1700000000'])
    assert.equal(await s.has('b'), true)
    // gpg is not run for has/keys: a pass command that fails every call still answers them.
    const broken = store('keys-test', { cmd: '/bin/false' })
    assert.equal(await broken.has('b'), true)
    assert.equal((await broken.keys()).length, 3)
    assert.deepEqual(await store('nothing-here').keys(), [])
  })

  it('get of a missing key is null and remove of it false; remove deletes the entry', async () => {
    const s = store('rm-test')
    assert.equal(await s.get('nope'), null)
    assert.equal(await s.remove('nope'), false)
    await s.set({ key: 'gone', data: '{}' })
    assert.equal(await s.remove('gone'), true)
    assert.equal(await s.has('gone'), false)
    assert.equal(fx.pass(['show', 'rm-test/gone']).status, 1)
  })

  it('refuses keys that would leave the store', async () => {
    await assert.rejects(store().set({ key: '../x', data: '{}' }), UsageError)
  })

  it('a pass that hangs is killed at the deadline with its children, as a timeout StoreError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-pass-hang-'))
    try {
      const pidFile = join(dir, 'child.pid')
      const script = join(dir, 'pass')
      // Like pass waiting on gpg: a shell with a child that never ends.
      await writeFile(script, `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nwait\n`)
      await chmod(script, 0o755)
      const started = Date.now()
      await assert.rejects(store('', { cmd: script, timeoutMs: 500 }).set({ key: 'k', data: '{}' }), (err) => {
        assert.ok(err instanceof StoreError)
        assert.equal(err.reason, 'timeout')
        return true
      })
      assert.ok(Date.now() - started < 10_000)
      const pid = Number(await readFile(pidFile, 'utf8'))
      // Gone, or a zombie waiting for a reaper (PID 1 in a container may not reap orphans).
      // SIGKILL is sent before the rejection, but a busy machine may schedule the child's death a
      // moment later (it was seen in state R right after): wait for it, well short of its 300 s.
      const stateOf = () =>
        readFile(`/proc/${pid}/stat`, 'utf8').then(
          (s) => s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3),
          () => 'gone',
        )
      let state = await stateOf()
      for (let waited = 0; state !== 'gone' && state !== 'Z' && waited < 10_000; waited += 50) {
        await new Promise((r) => setTimeout(r, 50))
        state = await stateOf()
      }
      assert.ok(state === 'gone' || state === 'Z', `the child of pass was left running (state ${state})`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a missing pass command is an unavailable StoreError with an install hint', async () => {
    await assert.rejects(store('', { cmd: 'no-such-pass-xyz' }).set({ key: 'k', data: '{}' }), (err) => {
      assert.ok(err instanceof StoreError)
      assert.equal(err.reason, 'unavailable')
      assert.match(err.hint ?? '', /apt-get install pass/)
      return true
    })
  })

  it('gpg failing (no secret key) is one StoreError line naming the entry', async () => {
    const env = { ...fx.env, GNUPGHOME: join(fx.gnupgHome, 'missing') }
    await assert.rejects(store('', { env }).get('saguaro'), (err) => {
      assert.ok(err instanceof StoreError)
      assert.match(err.message, /^pass store: reading "saguaro" failed/)
      assert.ok(!err.message.includes('\n'))
      return true
    })
  })
})

describe('pass backend settings (aws-vault cli/global.go, 99designs/keyring pass.go)', () => {
  const base = { homedir: '/home/u', platform: 'linux' as const, logger: { enabled: false, debug() {} } }
  const passphrase = async () => ''
  it('directory: --pass-dir, else PASSWORD_STORE_DIR, else ~/.password-store, with ~ expanded', () => {
    assert.equal(passStoreDir('~/ps', {}, '/home/u'), '/home/u/ps')
    assert.equal(passStoreDir(undefined, { PASSWORD_STORE_DIR: '/srv/ps' }, '/home/u'), '/srv/ps')
    assert.equal(passStoreDir(undefined, {}, '/home/u'), '/home/u/.password-store')
  })
  it('createStore("pass") reads AWS_VAULT_PASS_* when no flags are given (the fast path)', () => {
    const env = {
      AWS_VAULT_PASS_PASSWORD_STORE_DIR: '/srv/ps',
      AWS_VAULT_PASS_CMD: 'gopass',
      AWS_VAULT_PASS_PREFIX: 'aws',
    }
    const s = createStore('pass', { ...base, env, passphrase }) as PassStore
    assert.ok(s instanceof PassStore)
    assert.equal(s.name, 'pass')
    const opts = (s as unknown as { opts: { dir: string; cmd: string; prefix: string } }).opts
    assert.deepEqual([opts.dir, opts.cmd, opts.prefix], ['/srv/ps', 'gopass', 'aws'])
    const flagged = createStore('pass', { ...base, env, passphrase, settings: { passDir: '/x', passPrefix: '' } })
    const o2 = (flagged as unknown as { opts: { dir: string; cmd: string; prefix: string } }).opts
    assert.deepEqual([o2.dir, o2.cmd, o2.prefix], ['/x', 'pass', ''])
  })
})
