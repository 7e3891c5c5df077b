import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { type Manifest, normalizeArgv, parseLine, splitPassthrough } from '../../src/cli/command-line.js'

const root = join(import.meta.dirname, '..', '..')
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as Manifest
const exec = manifest.commands.exec

describe('splitPassthrough: exec runs the command line as typed (issue 12)', () => {
  const cases: Array<[string, string[], string[], string[]]> = [
    ['after --', ['saguaro', '--', 'echo', 'x', 'y', 'x', 'z'], ['saguaro'], ['echo', 'x', 'y', 'x', 'z']],
    ['after the profile, no --', ['saguaro', 'echo', 'a', 'saguaro', 'b'], ['saguaro'], ['echo', 'a', 'saguaro', 'b']],
    [
      'a -- inside the command',
      ['saguaro', 'printf', '%s|', '--flag', '--', '-x'],
      ['saguaro'],
      ['printf', '%s|', '--flag', '--', '-x'],
    ],
    [
      'flags before the profile',
      ['-d', '1h', '--region', 'x', 'p', 'cmd'],
      ['-d', '1h', '--region', 'x', 'p'],
      ['cmd'],
    ],
    ['flags after the profile', ['p', '-t', '123456', '--', '-t'], ['p', '-t', '123456'], ['-t']],
    ['glued values take no second token', ['-d1h', '--region=x', 'p', 'cmd'], ['-d1h', '--region=x', 'p'], ['cmd']],
    ['combined booleans', ['-nj', 'p'], ['-nj', 'p'], []],
    ['an option value that looks like a profile', ['--region', 'p', 'q', 'cmd'], ['--region', 'p', 'q'], ['cmd']],
    ['no command', ['p'], ['p'], []],
    ['an empty command line after --', ['p', '--'], ['p'], []],
    ['an empty-string argument', ['p', '', 'x'], ['p'], ['', 'x']],
  ]
  for (const [name, argv, own, passthrough] of cases) {
    it(name, () => {
      const split = splitPassthrough(exec, argv)
      assert.deepEqual([split.own, split.passthrough], [own, passthrough])
    })
  }
})

describe('normalizeArgv: the form oclif reads', () => {
  const cases: Array<[string, string[], string[]]> = [
    [
      'global flags before the command move after it',
      ['--debug', 'exec', 'p', '--', 'true'],
      ['exec', '--debug', 'p', '--', 'true'],
    ],
    ['a global option and its value', ['--backend', 'file', 'list'], ['list', '--backend', 'file']],
    ['an alias', ['--debug', 'ls'], ['ls', '--debug']],
    [
      "exec's command gets a -- so that oclif reads none of it",
      ['exec', 'p', 'cmd', '-h'],
      ['exec', 'p', '--', 'cmd', '-h'],
    ],
    ['an existing -- is kept as it is', ['exec', 'p', '--', 'cmd', '--', '-h'], ['exec', 'p', '--', 'cmd', '--', '-h']],
    ['--help before the command is left to oclif', ['--help', 'exec'], ['--help', 'exec']],
    ['an unknown command gets the flags behind its name', ['--debug', 'exce', 'p'], ['exce', '--debug', 'p']],
    ['strict commands are untouched', ['export', 'p', 'extra'], ['export', 'p', 'extra']],
  ]
  for (const [name, argv, expected] of cases) {
    it(name, () => assert.deepEqual(normalizeArgv(manifest, argv), expected))
  }
})

describe('parseLine: what the fast path understands, and what it hands to oclif', () => {
  it('reads flags, chars, --flag=value, -cVALUE, defaults and env fallbacks from the manifest', () => {
    const line = parseLine(manifest, ['export', '-d1h', '--region=eu-west-1', '-n', 'p'], { AWS_VAULT_BACKEND: 'file' })
    assert.deepEqual(line?.args, { profile: 'p' })
    assert.equal(line?.flags.duration, '1h')
    assert.equal(line?.flags.region, 'eu-west-1')
    assert.equal(line?.flags['no-session'], true)
    assert.equal(line?.flags.format, 'env', 'the declared default')
    assert.equal(line?.flags.backend, 'file', 'the declared env variable')
  })
  it('an alias and a hidden alias reach their command', () => {
    assert.equal(parseLine(manifest, ['ls', '--profiles'], {})?.id, 'list')
    assert.equal(parseLine(manifest, ['exec', '--server', 'p'], {})?.flags['ecs-server'], true)
  })
  const handOver: Array<[string, string[]]> = [
    ['help', ['export', 'p', '--help']],
    ['an unknown flag', ['export', 'p', '--regoin', 'x']],
    ['a value outside the options', ['export', '--format', 'yaml', 'p']],
    ['a missing value', ['export', 'p', '--region']],
    ['a repeated option', ['export', '--region', 'a', '--region', 'b', 'p']],
    ['exclusive flags together', ['list', '--profiles', '--sessions']],
    ['a boolean given a value', ['export', '--no-session=true', 'p']],
    ['a missing required argument', ['add']],
    ['an extra argument', ['export', 'p', 'q']],
    ['a command the manifest does not have', ['exce', 'p']],
  ]
  for (const [name, argv] of handOver) {
    it(`hands over: ${name}`, () => assert.equal(parseLine(manifest, argv, {}), undefined))
  }
  it('hands over: a flag with relationships (none has them today: --lazy lost its own in issue 25)', () => {
    const withRelationships = structuredClone(manifest)
    const lazy = withRelationships.commands.exec?.flags.lazy as { relationships?: unknown[] }
    lazy.relationships = [{ type: 'some', flags: ['ecs-server', 'ec2-server'] }]
    assert.equal(parseLine(withRelationships, ['exec', '--lazy', 'p'], {}), undefined)
    assert.notEqual(parseLine(manifest, ['exec', '--lazy', 'p'], {}), undefined)
  })
})
