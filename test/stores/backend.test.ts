import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StoreError, UsageError } from '../../src/errors.js'
import { silentLogger } from '../../src/runtime/types.js'
import { createStore, defaultBackend, fileStoreDir } from '../../src/stores/backend.js'
import { FileStore } from '../../src/stores/file-store.js'
import { KeychainStore } from '../../src/stores/keychain-store.js'

const base = {
  env: {},
  homedir: '/home/u',
  logger: silentLogger,
  passphrase: () => Promise.reject(new Error('not needed')),
}

describe('createStore', () => {
  it('defaults to the platform’s keychain', () => {
    const table: Array<[NodeJS.Platform, string]> = [
      ['darwin', 'keychain'],
      ['win32', 'wincred'],
      ['linux', 'secret-service'],
      ['freebsd', 'secret-service'],
    ]
    for (const [platform, name] of table) {
      assert.equal(defaultBackend(platform), name)
      for (const given of [undefined, '']) {
        const store = createStore(given, { ...base, platform })
        assert.ok(store instanceof KeychainStore)
        assert.equal(store.name, name)
      }
    }
  })

  it('indexes the keychains whose listing reads every secret, but not Windows’ or the file backend (issue 9)', () => {
    assert.ok(createStore(undefined, { ...base, platform: 'linux' }).indexLock)
    assert.ok(createStore(undefined, { ...base, platform: 'darwin' }).indexLock)
    // Credential Manager holds at most 2,560 bytes an item; the file backend lists a directory.
    assert.equal(createStore(undefined, { ...base, platform: 'win32' }).indexLock, undefined)
    assert.equal(createStore('file', { ...base, platform: 'linux' }).indexLock, undefined)
  })

  it('builds the file backend in AWS_VAULT_FILE_DIR or ~/.awsvault/keys', () => {
    const store = createStore('file', { ...base, platform: 'linux' })
    assert.ok(store instanceof FileStore)
    assert.equal(store.dir, '/home/u/.awsvault/keys')
    assert.equal(fileStoreDir('~/vault-keys', '/home/u'), '/home/u/vault-keys')
    assert.equal(fileStoreDir('/srv/keys', '/home/u'), '/srv/keys')
  })

  it('an unknown name is a usage error listing the valid ones', () => {
    assert.throws(
      () => createStore('kwallet', { ...base, platform: 'linux' }),
      (err: UsageError) => {
        assert.ok(err instanceof UsageError)
        assert.equal(err.message, 'unknown backend "kwallet"')
        assert.equal(err.hint, 'use one of: keychain, wincred, secret-service, file, pass')
        return true
      },
    )
  })

  it('a keychain of another platform is "unavailable", pointing at one that works', () => {
    assert.throws(
      () => createStore('keychain', { ...base, platform: 'linux' }),
      (err: StoreError) => {
        assert.equal(err.reason, 'unavailable')
        assert.equal(err.message, 'the keychain backend is only available on macOS')
        assert.equal(err.hint, 'use --backend secret-service, or --backend file')
        return true
      },
    )
    assert.throws(() => createStore('secret-service', { ...base, platform: 'darwin' }), StoreError)
    assert.throws(() => createStore('wincred', { ...base, platform: 'darwin' }), StoreError)
  })

  it('offers a memory store for tests', () => {
    assert.equal(createStore('memory', { ...base, platform: 'linux' }).name, 'memory')
  })
})
