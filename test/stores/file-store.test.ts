import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { StoreError } from '../../src/errors.js'
import { decodeFileName, encodeFileName } from '../../src/stores/file-names.js'
import { FileStore } from '../../src/stores/file-store.js'
import { jwcryptoDecrypt, jwcryptoEncrypt } from './jwcrypto.js'

const PASS = 'correct horse battery staple'
const roots: string[] = []
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

/** A store in a fresh temp dir (the dir itself not yet created), counting passphrase requests. */
function tempStore(passphrase = PASS) {
  const root = mkdtempSync(join(tmpdir(), 'vault-file-store-'))
  roots.push(root)
  const dir = join(root, '.awsvault', 'keys')
  let asked = 0
  const store = new FileStore({
    dir,
    passphrase: async () => {
      asked++
      return passphrase
    },
  })
  return { store, dir, asked: () => asked }
}

const creds = '{"AccessKeyID":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}'

describe('FileStore', () => {
  it('round-trips items, lists keys, and removes them', async () => {
    const { store } = tempStore()
    assert.deepEqual(await store.keys(), [])
    assert.equal(await store.get('caktus'), null)
    await store.set({ key: 'caktus', data: creds, label: 'aws-vault (caktus)' })
    await store.set({ key: 'sts.GetSessionToken,Y2FrdHVz,,1700000000', data: '{"x":1}' })
    assert.deepEqual(await store.get('caktus'), { key: 'caktus', data: creds, label: 'aws-vault (caktus)' })
    assert.deepEqual(await store.keys(), ['caktus', 'sts.GetSessionToken,Y2FrdHVz,,1700000000'])
    assert.equal(await store.remove('caktus'), true)
    assert.equal(await store.remove('caktus'), false)
    assert.equal(await store.get('caktus'), null)
  })

  it('creates the directory 0700 and each file 0600, and leaves no temp files', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'caktus', data: creds })
    await store.set({ key: 'caktus', data: creds })
    assert.equal(statSync(dir).mode & 0o777, 0o700)
    assert.equal(statSync(join(dir, 'caktus')).mode & 0o777, 0o600)
    assert.deepEqual(readdirSync(dir), ['caktus'])
  })

  it('writes JWE that python3-jwcrypto decrypts to aws-vault’s exact item JSON', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'caktus', data: creds, label: 'aws-vault (caktus)' })
    const file = join(dir, 'caktus')
    assert.match(readFileSync(file, 'utf8'), /^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/)
    const { header, payload } = jwcryptoDecrypt(file, PASS)
    assert.equal(header.alg, 'PBES2-HS256+A128KW')
    assert.equal(header.enc, 'A256GCM')
    assert.equal(header.p2c, 8192)
    assert.equal(Buffer.from(String(header.p2s), 'base64url').length, 16)
    assert.equal(
      payload,
      `{"Key":"caktus","Data":"${Buffer.from(creds).toString('base64')}","Label":"aws-vault (caktus)","Description":"",` +
        '"KeychainNotTrustApplication":false,"KeychainNotSynchronizable":false}',
    )
  })

  it('escapes <, > and & in the item JSON as Go’s json.Marshal does', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'a&b', data: 'x', label: '<label>' })
    assert.match(jwcryptoDecrypt(join(dir, 'a&b'), PASS).payload, /"Key":"a\\u0026b".*"Label":"\\u003clabel\\u003e"/)
  })

  it('reads an item that python3-jwcrypto wrote in aws-vault’s format', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'other', data: '{}' }) // creates the directory
    const key = 'sts.AssumeRole,c2FndWFybw,YXJuOmF3czppYW06OjEyMzQ1Njc4OTAxMjptZmEvbWU,1700000000'
    const session =
      '{"AccessKeyId":"ASIAEXAMPLE","Expiration":"2023-11-14T22:13:20Z","SecretAccessKey":"s","SessionToken":"t"}'
    const plaintext = JSON.stringify({
      Key: key,
      Data: Buffer.from(session).toString('base64'),
      Label: 'aws-vault session for saguaro (expires 2023-11-14T22:13:20Z)',
      Description: 'aws-vault session',
      KeychainNotTrustApplication: false,
      KeychainNotSynchronizable: false,
    })
    jwcryptoEncrypt(join(dir, encodeFileName(key)), PASS, plaintext)
    assert.deepEqual(await store.get(key), {
      key,
      data: session,
      label: 'aws-vault session for saguaro (expires 2023-11-14T22:13:20Z)',
      description: 'aws-vault session',
    })
  })

  it('a wrong passphrase is a clear "passphrase" error naming the directory', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'caktus', data: creds })
    const wrong = new FileStore({ dir, passphrase: async () => 'wrong' })
    await assert.rejects(wrong.get('caktus'), (err: StoreError) => {
      assert.equal(err.reason, 'passphrase')
      assert.equal(err.message, `wrong passphrase for ${dir}`)
      return true
    })
    // Writing with a wrong passphrase is refused too: the new item would be unreadable with the real one.
    await assert.rejects(wrong.set({ key: 'saguaro', data: creds }), { reason: 'passphrase' })
    assert.deepEqual(readdirSync(dir), ['caktus'])
  })

  it('lists keys and removes items without asking for the passphrase', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'caktus', data: creds })
    const noPass = new FileStore({
      dir,
      passphrase: () => Promise.reject(new Error('must not ask')),
    })
    assert.deepEqual(await noPass.keys(), ['caktus'])
    assert.equal(await noPass.remove('caktus'), true)
  })

  it('has() looks for the file alone: no passphrase, no decryption (issue 9)', async () => {
    const { store, asked } = tempStore()
    assert.equal(await store.has('caktus'), false)
    await store.set({ key: 'caktus', data: '{}' })
    const before = asked()
    assert.equal(await store.has('caktus'), true)
    assert.equal(await store.has('saguaro'), false)
    assert.equal(asked(), before)
  })

  it('a damaged file is "corrupt", not a passphrase error', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'caktus', data: creds })
    writeFileSync(join(dir, 'junk'), 'not a jwe')
    await assert.rejects(store.get('junk'), { reason: 'corrupt' })
  })

  /** Flip one character of part `part` (0 header, 1 wrapped key, 2 iv, 3 ciphertext, 4 tag) of a JWE file. */
  function flip(path: string, part: number): void {
    const parts = readFileSync(path, 'utf8').trim().split('.')
    const bytes = Buffer.from(parts[part], 'base64url')
    bytes[Math.floor(bytes.length / 2)] ^= 0x01
    parts[part] = bytes.toString('base64url')
    writeFileSync(path, parts.join('.'))
  }

  for (const [part, name] of [
    [3, 'ciphertext'],
    [4, 'tag'],
    [2, 'iv'],
  ] as const) {
    it(`a flipped byte in the ${name} is "corrupted" naming the file, even as the only item, and add still works (issue 15)`, async () => {
      const { store, dir } = tempStore()
      await store.set({ key: 'caktus', data: creds })
      flip(join(dir, 'caktus'), part)
      const fresh = () => new FileStore({ dir, passphrase: async () => PASS })
      await assert.rejects(fresh().get('caktus'), (err: StoreError) => {
        assert.equal(err.reason, 'corrupt')
        assert.match(err.message, new RegExp(`^${join(dir, 'caktus')} is corrupted`))
        assert.doesNotMatch(err.message, /passphrase for/)
        return true
      })
      // A new process adding another profile is not blocked by the damaged item.
      await fresh().set({ key: 'saguaro', data: creds })
      assert.equal((await fresh().get('saguaro'))?.data, creds)
      // A wrong passphrase is still refused.
      await assert.rejects(new FileStore({ dir, passphrase: async () => 'wrong' }).set({ key: 'x', data: creds }), {
        reason: 'passphrase',
      })
    })
  }

  it('a flipped byte in the wrapped key is "corrupted" when the passphrase opens another item (issue 15)', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'caktus', data: creds })
    await store.set({ key: 'saguaro', data: creds })
    flip(join(dir, 'caktus'), 1)
    const fresh = () => new FileStore({ dir, passphrase: async () => PASS })
    await assert.rejects(fresh().get('caktus'), {
      reason: 'corrupt',
      message: `${join(dir, 'caktus')} is corrupted (its key does not unwrap with the passphrase that opens the other items)`,
    })
    await fresh().set({ key: 'other', data: creds })
    assert.equal((await fresh().get('saguaro'))?.data, creds)
  })

  it('an item removed between a listing and its read is a miss, as on the keychain (issue 15)', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'caktus', data: creds })
    await store.set({ key: 'saguaro', data: creds })
    const listed = await store.keys()
    rmSync(join(dir, 'caktus'))
    assert.deepEqual(listed, ['caktus', 'saguaro'])
    assert.equal(await store.get('caktus'), null)
    assert.equal(await store.remove('caktus'), false)
    // A write's passphrase check skips the vanished item and checks against the next one.
    await new FileStore({ dir, passphrase: async () => PASS }).set({ key: 'new', data: creds })
  })

  it('skips temp files left by a write that was cut short', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'caktus', data: creds })
    writeFileSync(join(dir, '.vault-tmp-caktus-0123456789ab'), 'partial')
    assert.deepEqual(await store.keys(), ['caktus'])
  })

  it('percent-encodes % and / in file names, like 99designs/keyring', async () => {
    const { store, dir } = tempStore()
    await store.set({ key: 'team/prod%1', data: '{}' })
    assert.deepEqual(readdirSync(dir), ['team%2Fprod%251'])
    assert.deepEqual(await store.keys(), ['team/prod%1'])
    assert.equal((await store.get('team/prod%1'))?.data, '{}')
  })
})

describe('file names (mtibben/percent)', () => {
  const table: Array<[string, string]> = [
    ['caktus', 'caktus'],
    ['a/b', 'a%2Fb'],
    ['100%', '100%25'],
    ['%2F', '%252F'],
    ['sts.GetSessionToken,Y2FrdHVz,,1700000000', 'sts.GetSessionToken,Y2FrdHVz,,1700000000'],
    ['ünïcode/x', 'ünïcode%2Fx'],
  ]
  for (const [key, name] of table) {
    it(`${key} <-> ${name}`, () => {
      assert.equal(encodeFileName(key), name)
      assert.equal(decodeFileName(name), key)
    })
  }

  it('decodes any %XX, and leaves a % without two hex digits alone, as percent.Decode does', () => {
    assert.equal(decodeFileName('%41%2f%zz%4'), 'A/%zz%4')
  })
})
