import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { LockError, StoreError } from '../../src/errors.js'
import { formatHolder, selfHolder } from '../../src/lock/holder.js'
import { CredentialStore } from '../../src/stores/credential-store.js'
import { fileIndexLock } from '../../src/stores/index-lock.js'
import { MemoryStore } from '../../src/stores/memory-store.js'

// Issue 15: "`vault add` reports success, and the key is then invisible" when the index update
// fails. A memory store stands for the Secret Service (only vault writes it: indexComplete), with
// its index file and lock in a real temp ~/.awsvault, so the file-system faults are real.

const root = mkdtempSync(join(tmpdir(), 'vault-index-durability-'))
const mounts: string[] = []
after(() => {
  for (const m of mounts) execFileSync('umount', [m])
  rmSync(root, { recursive: true, force: true })
})

const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }
const OLD = { accessKeyId: 'AKIAOLDOLDOLDOLDOLD1', secretAccessKey: 'o'.repeat(40) }
let n = 0

/** A fresh ~/.awsvault (as `home`) and a keychain-like store indexed in it. */
function setup(waitMs = 2000) {
  const home = join(root, `h${n++}`)
  const awsvault = join(home, '.awsvault')
  mkdirSync(awsvault, { recursive: true })
  const indexFile = join(awsvault, 'secret-service.index')
  const lock = fileIndexLock({ path: join(awsvault, 'locks', 'store-index'), waitMs })
  const store = new MemoryStore([], { indexLock: lock, indexFile, indexComplete: true })
  return { home, awsvault, indexFile, store, keys: () => new CredentialStore(store) }
}

/**
 * Make `dir` read-only with its content: as root (who ignores modes) a read-only bind mount of
 * itself (EROFS, as on a read-only HOME); otherwise mode 0500 (EACCES).
 */
function readOnly(dir: string): void {
  if (process.getuid?.() === 0) {
    execFileSync('mount', ['--bind', dir, dir])
    mounts.push(dir)
    execFileSync('mount', ['-o', 'remount,ro,bind', dir])
  } else chmodSync(dir, 0o500)
}

describe('the index never hides a key (issue 15)', () => {
  it('add succeeds when key and index entry are both written, and a lookup then needs no read', async () => {
    const s = setup()
    await s.keys().set('dev', KEYS)
    assert.deepEqual(JSON.parse(readFileSync(s.indexFile, 'utf8')).profiles, ['dev'])
    s.store.calls.get = 0
    assert.equal(await s.keys().has('dev'), true)
  })

  it('~/.awsvault/locks being a file: add fails naming it, and stores nothing', async () => {
    const s = setup()
    writeFileSync(join(s.awsvault, 'locks'), '')
    await assert.rejects(s.keys().set('dev', KEYS), (err: StoreError) => {
      assert.ok(err instanceof StoreError)
      assert.equal(
        err.message,
        `keys for profile "dev" not stored (nothing stored): cannot create the lock directory ${join(s.awsvault, 'locks')}: ${join(s.awsvault, 'locks')} is a file, where vault needs a directory`,
      )
      assert.equal(err.hint, `move ${join(s.awsvault, 'locks')} out of the way`)
      return true
    })
    assert.equal(await s.store.get('dev'), null)
  })

  it('a read-only ~/.awsvault: add fails naming the path, and the keys stored before are kept', async () => {
    const s = setup()
    await s.keys().set('dev', OLD)
    rmSync(s.indexFile) // so the update must write
    readOnly(s.home)
    await assert.rejects(s.keys().set('dev', KEYS), (err: StoreError) => {
      assert.ok(err instanceof StoreError)
      assert.match(err.message, /^keys for profile "dev" not stored \(the keys stored before are kept\): /)
      assert.match(err.message, /read-only|permission denied/)
      return true
    })
    assert.equal(JSON.parse((await s.store.get('dev'))?.data ?? '{}').AccessKeyID, OLD.accessKeyId)
  })

  it('the index path a directory (EISDIR): add says so; lookups still work by listing', async () => {
    const s = setup()
    mkdirSync(s.indexFile)
    await assert.rejects(s.keys().set('dev', KEYS), {
      message: `keys for profile "dev" not stored (nothing stored): cannot write the store index ${s.indexFile}: it is a directory, where vault keeps a file`,
    })
    assert.equal(await s.store.get('dev'), null)
    assert.deepEqual(await s.keys().list(), [])
  })

  it('the index lock busy past its wait: add fails with a LockError, and stores nothing', async () => {
    const s = setup(300)
    // Held by a running process (this one, outside the store's in-process queue).
    const holder = selfHolder()
    mkdirSync(join(s.awsvault, 'locks', 'store-index.lock'), { recursive: true })
    writeFileSync(join(s.awsvault, 'locks', 'store-index.lock', holder.nonce), formatHolder(holder))
    await assert.rejects(s.keys().set('dev', KEYS), (err: LockError) => {
      assert.ok(err instanceof LockError)
      assert.match(
        err.message,
        /^keys for profile "dev" not stored \(nothing stored\): gave up after 0.3s waiting for the lock for the store index/,
      )
      return true
    })
    assert.equal(await s.store.get('dev'), null)
  })

  it('a key the index lacks (add killed before its index update) is found by a confirming lookup, which repairs the index', async () => {
    const s = setup()
    await s.keys().set('other', KEYS)
    await s.store.set({
      key: 'dev',
      data: JSON.stringify({ AccessKeyID: KEYS.accessKeyId, SecretAccessKey: KEYS.secretAccessKey }),
    })
    // A plain lookup trusts the complete index (no read on a cache hit)...
    assert.equal(await s.keys().has('dev'), false)
    // ...the lookup made before saying "no credentials" asks the store, and names the key.
    assert.equal(await s.keys().has('dev', { confirm: true }), true)
    assert.deepEqual(JSON.parse(readFileSync(s.indexFile, 'utf8')).profiles.sort(), ['dev', 'other'])
    assert.equal(await s.keys().has('dev'), true)
  })

  it('a `vault remove` killed between its keychain delete and its index update: list agrees with a lookup, and the name leaves the index', async () => {
    const s = setup()
    await s.keys().set('dev', KEYS)
    await s.keys().set('gone', OLD)
    // The keychain item is deleted; the process dies before its index update.
    await MemoryStore.prototype.remove.call(s.store, 'gone')
    assert.deepEqual(JSON.parse(readFileSync(s.indexFile, 'utf8')).profiles.sort(), ['dev', 'gone'])
    assert.equal(await s.keys().has('gone'), true, 'the index alone still names it')
    assert.deepEqual(await s.keys().list(), ['dev'])
    assert.deepEqual(JSON.parse(readFileSync(s.indexFile, 'utf8')).profiles, ['dev'])
    assert.equal(await s.keys().has('gone'), false)
  })
})
