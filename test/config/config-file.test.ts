import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ConfigFile, configFilePath } from '../../src/config/config-file.js'
import { ConfigError } from '../../src/errors.js'
import { recordingLogger } from './helpers.js'

describe('configFilePath', () => {
  const rows: Array<[string, Record<string, string>, string]> = [
    ['~/.aws/config by default', {}, '/home/u/.aws/config'],
    ['AWS_CONFIG_FILE when set', { AWS_CONFIG_FILE: '/etc/aws.conf' }, '/etc/aws.conf'],
    ['AWS_CONFIG_FILE with ~/ expanded', { AWS_CONFIG_FILE: '~/work/config' }, '/home/u/work/config'],
    ['an empty AWS_CONFIG_FILE is unset', { AWS_CONFIG_FILE: '' }, '/home/u/.aws/config'],
  ]
  for (const [name, env, want] of rows) test(name, () => assert.equal(configFilePath(env, '/home/u'), want))
})

describe('ConfigFile', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-config-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('a missing file is an empty config, not an error', async () => {
    const log = recordingLogger()
    const config = await ConfigFile.load(join(dir, 'nope', 'config'), log)
    assert.deepEqual(config.profileNames(), [])
    assert.equal(config.hasProfile('default'), false)
    assert.match(log.lines[0] ?? '', /does not exist/)
  })

  test('lists profile names in file order, default included, sso-sessions and duplicates not', async () => {
    const path = join(dir, 'config')
    await writeFile(path, '[profile b]\n[sso-session s]\n[default]\n[profile a]\n[profile b]\n')
    const config = await ConfigFile.load(path)
    assert.deepEqual(config.profileNames(), ['b', 'default', 'a'])
    assert.equal(config.hasProfile('a'), true)
    assert.equal(config.hasProfile('s'), false)
    assert.equal(config.ssoSession('s')?.kind, 'sso-session')
    assert.equal(config.section('a')?.line, 4)
    assert.equal(config.path, path)
  })

  test('a directory where the file should be is a ConfigError', async () => {
    const path = join(dir, 'isdir')
    await mkdir(path)
    await assert.rejects(
      ConfigFile.load(path),
      (err: unknown) => err instanceof ConfigError && /is a directory/.test(err.message),
    )
  })

  test('a malformed line in a profile nobody asks for still fails the load (values are built lazily, checks are not)', async () => {
    const path = join(dir, 'late-error')
    const filler = Array.from({ length: 50 }, (_, i) => `[profile p${i}]\nregion = x\n`).join('')
    await writeFile(path, `${filler}[profile last]\nregion us-east-1\n`)
    await assert.rejects(ConfigFile.load(path), {
      message: `${path}:102: "region us-east-1" is not a setting: expected key = value`,
    })
  })

  test('sections lists every section with its values built', () => {
    const config = ConfigFile.fromText('[profile a]\nregion = x\n[sso-session s]\nsso_region = y\n', '/c')
    assert.deepEqual(
      config.sections.map((s) => [s.kind, s.name, s.values]),
      [
        ['profile', 'a', { region: 'x' }],
        ['sso-session', 's', { sso_region: 'y' }],
      ],
    )
    // Built once and cached: a section read through `section()` is the very object `sections`
    // built, and a second lookup does not build a new one (a copy would be deep-equal, not the same).
    const first = config.section('a')
    assert.ok(first !== undefined && first === config.sections[0], 'section() returns the object sections built')
    assert.ok(config.section('a') === first, 'a second lookup returns the cached object')
  })

  test('parse errors name the real path and line', async () => {
    const path = join(dir, 'broken')
    await writeFile(path, '[default]\nregion\n')
    await assert.rejects(ConfigFile.load(path), {
      message: `${path}:2: "region" is not a setting: expected key = value`,
    })
  })
})
