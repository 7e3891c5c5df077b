import assert from 'node:assert/strict'
import { chmod, lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ConfigFile } from '../../src/config/config-file.js'
import { addProfileSection } from '../../src/config/write.js'
import { ConfigError, UsageError } from '../../src/errors.js'

describe('addProfileSection', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-write-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const appends: Array<{
    name: string
    before: string
    profile: string
    values: Record<string, string>
    after: string
  }> = [
    {
      name: 'appends after a blank line (issue 25: it was glued to the section before)',
      before: '# mine\n[default]\nregion = us-east-1 ; keep   spacing\n',
      profile: 'dev',
      values: { region: 'eu-west-1', mfa_serial: 'arn:aws:iam::1:mfa/me' },
      after:
        '# mine\n[default]\nregion = us-east-1 ; keep   spacing\n\n[profile dev]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::1:mfa/me\n',
    },
    {
      name: 'ends the last line first when the file does not end with a line break',
      before: '[profile a]\nregion = x',
      profile: 'b',
      values: {},
      after: '[profile a]\nregion = x\n\n[profile b]\n',
    },
    {
      name: 'adds no second blank line after one already there',
      before: '[profile a]\nregion = x\n\n',
      profile: 'b',
      values: {},
      after: '[profile a]\nregion = x\n\n[profile b]\n',
    },
    {
      name: 'writes [default] for the default profile',
      before: '',
      profile: 'default',
      values: { region: 'us-east-1' },
      after: '[default]\nregion = us-east-1\n',
    },
    {
      name: 'keeps CRLF files CRLF',
      before: '[profile a]\r\nregion = x\r\n',
      profile: 'b',
      values: { region: 'y' },
      after: '[profile a]\r\nregion = x\r\n\r\n[profile b]\r\nregion = y\r\n',
    },
  ]
  for (const row of appends) {
    test(row.name, async () => {
      const path = join(dir, `${row.profile}-${Math.random()}`)
      await writeFile(path, row.before)
      await addProfileSection(path, row.profile, row.values)
      assert.equal(await readFile(path, 'utf8'), row.after)
      assert.ok((await ConfigFile.load(path)).hasProfile(row.profile))
    })
  }

  test('leaves every other byte unchanged, even ones that are not UTF-8', async () => {
    const path = join(dir, 'binary')
    const original = Buffer.from([
      0xef, 0xbb, 0xbf, 0x5b, 0x64, 0x65, 0x66, 0x61, 0x75, 0x6c, 0x74, 0x5d, 0x0a, 0x23, 0xff, 0xfe, 0x0a,
    ])
    await writeFile(path, original)
    await addProfileSection(path, 'x', {})
    const now = await readFile(path)
    assert.deepEqual(now.subarray(0, original.length), original)
    assert.equal(now.subarray(original.length).toString(), '\n[profile x]\n')
  })

  test('keeps the file mode and leaves no temp file behind', async () => {
    const path = join(dir, 'mode')
    await writeFile(path, '[default]\n')
    await chmod(path, 0o640)
    await addProfileSection(path, 'a', { region: 'x' })
    assert.equal((await stat(path)).mode & 0o777, 0o640)
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith('.tmp')),
      [],
    )
  })

  test('creates ~/.aws (0700) and the file (0600) when missing', async () => {
    const path = join(dir, 'home', '.aws', 'config')
    await addProfileSection(path, 'first', { region: 'x' })
    assert.equal(await readFile(path, 'utf8'), '[profile first]\nregion = x\n')
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal((await stat(join(dir, 'home', '.aws'))).mode & 0o777, 0o700)
  })

  test('writes through a symlinked config instead of replacing the link', async () => {
    const real = join(dir, 'dotfiles-config')
    const link = join(dir, 'linked-config')
    await writeFile(real, '[default]\n')
    await symlink(real, link)
    await addProfileSection(link, 'a', {})
    assert.equal(await readFile(real, 'utf8'), '[default]\n\n[profile a]\n')
    assert.ok((await lstat(link)).isSymbolicLink())
  })

  test('refuses a profile that already has a section', async () => {
    const path = join(dir, 'dup')
    await writeFile(path, '[profile a]\n')
    await assert.rejects(
      addProfileSection(path, 'a', {}),
      (err: unknown) => err instanceof ConfigError && /profile "a" already exists/.test(err.message),
    )
  })

  const refused: Array<[string, string, Record<string, string>]> = [
    ['a name with a bracket', 'a]b', {}],
    ['a name with a newline', 'a\nb', {}],
    ['a value with a line break', 'ok', { region: 'x\n[default]' }],
    ['a value the reader would cut at a comment', 'ok', { credential_process: 'tool #1' }],
    ['a key with spaces', 'ok', { 'bad key': 'x' }],
  ]
  for (const [name, profile, values] of refused) {
    test(`refuses ${name}`, async () => {
      const path = join(dir, 'refused')
      await assert.rejects(addProfileSection(path, profile, values), UsageError)
    })
  }
})
