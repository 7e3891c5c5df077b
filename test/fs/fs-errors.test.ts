import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileSystemError } from '../../src/fs/fs-errors.js'
import { FileStore } from '../../src/stores/file-store.js'

const root = mkdtempSync(join(tmpdir(), 'vault-fs-errors-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** The error a real file-system call gives. */
async function errorOf(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => assert.fail('expected the call to fail'),
    (err: unknown) => err,
  )
}

// Issue 15: "unexpected error: EISDIR / ENOTDIR / EROFS" became one line naming the path and the fix.
describe('fileSystemError', () => {
  it('EISDIR: the path is a directory', async () => {
    const path = join(root, 'index-dir')
    mkdirSync(path)
    const err = fileSystemError(await errorOf(readFile(path)), path, 'cannot read the store index')
    assert.equal(err.message, `cannot read the store index ${path}: it is a directory, where vault keeps a file`)
    assert.equal(err.hint, `move ${path} out of the way`)
    assert.equal(err.exitCode, 69)
  })

  it('ENOTDIR: names the file standing where a directory should be (~/.awsvault a file)', async () => {
    const awsvault = join(root, 'home', '.awsvault')
    mkdirSync(join(root, 'home'))
    writeFileSync(awsvault, '')
    const path = join(awsvault, 'locks')
    const err = fileSystemError(await errorOf(mkdir(path, { recursive: true })), path, 'cannot create')
    assert.equal(err.message, `cannot create ${path}: ${awsvault} is a file, where vault needs a directory`)
    assert.equal(err.hint, `move ${awsvault} out of the way`)
  })

  it('EROFS: a read-only file system says how to fix HOME', () => {
    const err = fileSystemError(Object.assign(new Error('x'), { code: 'EROFS' }), '/ro/.awsvault/x', 'cannot write')
    assert.equal(err.message, 'cannot write /ro/.awsvault/x: the file system is read-only')
    assert.equal(err.hint, 'make HOME writable, or point HOME at a writable directory')
    assert.equal(err.reason, 'denied')
  })

  it('the file backend with ~/.awsvault a file: one line naming it', async () => {
    const home = join(root, 'home2')
    mkdirSync(home)
    writeFileSync(join(home, '.awsvault'), '')
    const store = new FileStore({ dir: join(home, '.awsvault', 'keys'), passphrase: async () => 'p' })
    await assert.rejects(store.set({ key: 'dev', data: '{}' }), {
      message: `cannot write ${join(home, '.awsvault', 'keys', 'dev')}: ${join(home, '.awsvault')} is a file, where vault needs a directory`,
    })
  })
})
