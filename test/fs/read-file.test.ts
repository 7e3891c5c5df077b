/**
 * issue 28: file reads are bounded. A FIFO (which hung `vault add`, `import --from aws-vault` and
 * `vault export` holding the sign-in lock), a device, or a file over its cap (a 300 MB SSO cache
 * file took vault to 970 MB) is refused with one line naming the path, for the helper and for each
 * kind of file vault reads. Oversized files are sparse, so they cost no disk.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { ConfigFile } from '../../src/config/config-file.js'
import { addProfileSection } from '../../src/config/write.js'
import { fileCaps, readBoundedText } from '../../src/fs/read-file.js'
import { fileRotationJournal } from '../../src/iam/rotation-journal.js'
import { readAwsCliToken } from '../../src/sso/aws-cli-cache.js'
import { FileStore } from '../../src/stores/file-store.js'
import { processIndexLock } from '../../src/stores/index-lock.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import { StoreIndex } from '../../src/stores/store-index.js'
import { webIdentityProvider } from '../../src/vault/web-identity-provider.js'
import { fixedClock, recordingSts } from '../fakes/fakes.js'

const root = mkdtempSync(join(tmpdir(), 'vault-read-file-'))
after(() => rmSync(root, { recursive: true, force: true }))
let n = 0
const fresh = () => {
  const dir = join(root, String(++n))
  mkdirSync(dir, { recursive: true })
  return dir
}

function fifo(path: string): string {
  const r = spawnSync('mkfifo', [path])
  assert.equal(r.status, 0, String(r.stderr))
  return path
}

function sparse(path: string, bytes: number): string {
  writeFileSync(path, '')
  truncateSync(path, bytes)
  return path
}

describe('readBoundedText (issue 28)', () => {
  it('reads a regular file, and one through a link by default', async () => {
    const dir = fresh()
    writeFileSync(join(dir, 'f'), 'hello')
    symlinkSync(join(dir, 'f'), join(dir, 'link'))
    assert.equal(await readBoundedText(join(dir, 'f'), { maxBytes: 5 }), 'hello')
    assert.equal(await readBoundedText(join(dir, 'link'), { maxBytes: 5 }), 'hello')
  })

  it('a FIFO with no writer is refused at once, not read forever', async () => {
    const path = fifo(join(fresh(), 'p'))
    await assert.rejects(readBoundedText(path, { maxBytes: 100 }), {
      name: 'FileReadRefused',
      code: 'EFTYPE',
      message: `${path} is a FIFO (named pipe), not a regular file`,
      hint: `move ${path} out of the way; vault reads only regular files of a sane size`,
      exitCode: 1,
    })
  })

  it('a device is refused', async () => {
    await assert.rejects(readBoundedText('/dev/zero', { maxBytes: 100 }), {
      message: '/dev/zero is a device, not a regular file',
    })
  })

  it('a file over the cap is refused before it is read', async () => {
    const path = sparse(join(fresh(), 'big'), 2 * 1024 * 1024)
    await assert.rejects(readBoundedText(path, { maxBytes: 1024 * 1024 }), {
      code: 'EFBIG',
      message: `${path} is larger than 1 MiB, more than vault reads from it`,
    })
  })

  it('a directory keeps its EISDIR; a missing file its ENOENT; a link with noFollow its ELOOP', async () => {
    const dir = fresh()
    writeFileSync(join(dir, 'f'), 'x')
    symlinkSync(join(dir, 'f'), join(dir, 'link'))
    await assert.rejects(readBoundedText(dir, { maxBytes: 10 }), { code: 'EISDIR' })
    await assert.rejects(readBoundedText(join(dir, 'none'), { maxBytes: 10 }), { code: 'ENOENT' })
    await assert.rejects(readBoundedText(join(dir, 'link'), { maxBytes: 10, noFollow: true }), { code: 'ELOOP' })
  })
})

describe('every kind of file vault reads is bounded (issue 28)', () => {
  it('~/.aws/config: a FIFO and an oversized file are one ConfigError (exit 78)', async () => {
    const dir = fresh()
    const pipe = fifo(join(dir, 'config'))
    await assert.rejects(ConfigFile.load(pipe), {
      message: `config file ${pipe} is a FIFO (named pipe), not a regular file`,
      exitCode: 78,
    })
    const big = sparse(join(dir, 'big'), fileCaps.awsConfig + 1)
    await assert.rejects(ConfigFile.load(big), { message: /is larger than 16 MiB/, exitCode: 78 })
  })

  it('a config rewrite (vault add) refuses a FIFO instead of hanging', async () => {
    const pipe = fifo(join(fresh(), 'config'))
    await assert.rejects(addProfileSection(pipe, 'dev', { region: 'eu-west-1' }), {
      message: `cannot rewrite ${pipe} is a FIFO (named pipe), not a regular file`,
      exitCode: 78,
    })
  })

  it('the file backend: a FIFO item is a StoreError naming it; a FIFO beside other items does not hang a write', async () => {
    const dir = fresh()
    const store = new FileStore({ dir, passphrase: async () => 'pw' })
    await store.set({ key: 'ok', data: '{"a":1}' })
    fifo(join(dir, 'fifo'))
    sparse(join(dir, 'huge'), fileCaps.item + 1)
    await assert.rejects(store.get('fifo'), {
      message: `cannot read ${join(dir, 'fifo')}: it is a FIFO (named pipe), not a regular file`,
      exitCode: 69,
    })
    await assert.rejects(store.get('huge'), { message: /: it is larger than 1 MiB/, exitCode: 69 })
    // A fresh store checks the passphrase against the items first (the read that hung `vault add`).
    const again = new FileStore({ dir, passphrase: async () => 'pw' })
    await again.set({ key: 'new', data: '{"b":2}' })
    assert.equal((await again.get('new'))?.data, '{"b":2}')
  })

  it("the AWS CLI's SSO cache: a FIFO or a huge file is no token (and no hang)", async () => {
    const dir = fresh()
    const session = { name: 'corp', startUrl: 'https://corp.awsapps.com/start' }
    const file = join(dir, `${createHash('sha1').update('corp').digest('hex')}.json`)
    fifo(file)
    assert.equal(await readAwsCliToken(dir, session), null)
    rmSync(file)
    sparse(file, fileCaps.item + 1)
    assert.equal(await readAwsCliToken(dir, session), null)
  })

  it('the store index: a FIFO in its place is read as no index (the store is listed instead)', async () => {
    const dir = fresh()
    const indexFile = fifo(join(dir, 'secret-service.index'))
    const store = new MemoryStore([], { indexLock: processIndexLock(), indexFile })
    assert.equal(await StoreIndex.of(store)?.view(), undefined)
  })

  it('the rotation journal: a FIFO is refused', async () => {
    const dir = fresh()
    fifo(join(dir, 'dev.json'))
    await assert.rejects(fileRotationJournal(dir).read('dev'), { code: 'EFTYPE' })
  })

  it('web_identity_token_file: a FIFO is one ConfigError', async () => {
    const pipe = fifo(join(fresh(), 'token'))
    const clock = fixedClock()
    const provider = webIdentityProvider({
      profile: 'wi',
      roleArn: 'arn:aws:iam::111111111111:role/R',
      roleSessionName: 's',
      durationSeconds: 3600,
      tokenFile: pipe,
      env: {},
      sts: recordingSts(clock).factory,
      target: { region: 'us-east-1' },
    })
    await assert.rejects(provider.retrieve(), {
      message: `profile "wi": cannot read web_identity_token_file ${pipe} (is a FIFO (named pipe), not a regular file)`,
    })
  })
})
