/**
 * Issue 12: `vault exec` runs exactly the command that was typed, on every path. The child is
 * /usr/bin/printf '%s\0' ARGS…, so its stdout is the exact bytes of every argument it received.
 * VAULT_PATH_LOG tells which path served each run (fast: the cache-hit bundle; full: oclif).
 */
import assert from 'node:assert/strict'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeEach, describe, it } from 'node:test'
import { type Home, useServices, vault } from './harness.js'
import { useSharedHome } from './shared-home.js'

const config = `[profile caktus]
region = us-east-1

[profile saguaro]
source_profile = caktus
role_arn = arn:aws:iam::222222222222:role/Dev
`

/**
 * The arguments typed after the command; each list runs on every path, with and without `--`.
 * One list holds many traps at once (each run costs a vault start-up on a 2-core machine).
 */
const argCases: Array<[string, string[]]> = [
  [
    "repeated values, the profile's own name, `--` inside, vault's own flags",
    [
      'x',
      'saguaro',
      'x',
      '--',
      '-t',
      '123456',
      '--region',
      'eu-west-1',
      '-n',
      '--duration=1h',
      '-d',
      '--debug',
      '-h',
      '--',
      'saguaro',
      'x',
    ],
  ],
  [
    'empty strings, spaces, quotes, unicode, newlines',
    ['', ' ', 'a b', '"q"', "'s'", '\\', '$HOME', '*', 'ünïcødé ✓', 'line1\nline2', '\t', '🦀'],
  ],
  ['no arguments', []],
]

/** How vault is asked: the flags and where they go, and what must be true before the run. */
interface PathCase {
  name: string
  /** vault's own arguments around the profile; the command follows. */
  before: string[]
  after: string[]
  env?: Record<string, string>
  /** Cached credentials before the run (a hit), or none (a miss). */
  warm: boolean
  path: 'fast' | 'full'
}

const paths: PathCase[] = [
  { name: 'fast-path cache hit', before: [], after: [], warm: true, path: 'fast' },
  {
    name: 'full CLI (VAULT_FAST_PATH=0)',
    before: [],
    after: [],
    env: { VAULT_FAST_PATH: '0' },
    warm: true,
    path: 'full',
  },
  { name: 'cache miss', before: [], after: [], warm: false, path: 'full' },
  { name: '--ecs-server', before: ['--ecs-server'], after: [], warm: true, path: 'full' },
  { name: '--ec2-server', before: [], after: ['--ec2-server'], warm: true, path: 'full' },
  { name: '--no-session', before: [], after: ['--no-session'], warm: true, path: 'fast' },
  { name: '-t after the profile', before: [], after: ['-t', '123456'], warm: true, path: 'fast' },
  {
    name: 'flags before the profile',
    before: ['-d', '1h', '--region', 'eu-west-1'],
    after: [],
    warm: true,
    path: 'fast',
  },
  { name: '--flag=value forms', before: ['--region=eu-west-1'], after: ['--duration=1h'], warm: true, path: 'fast' },
  { name: 'a global flag before the command', before: [], after: [], warm: true, path: 'full' },
]

const printf = ['/usr/bin/printf', '%s\\0']
const received = (stdout: string) => (stdout === '' ? [] : stdout.slice(0, -1).split('\0'))

describe('vault exec runs exactly the command that was typed (issue 12)', () => {
  const services = useServices()
  // No test here changes the keys: one home, and no cached session at the start of each test.
  const shared = useSharedHome(services, config)
  let home: Home
  let pathLog: string
  beforeEach(() => {
    home = shared()
    pathLog = join(home.dir, 'paths.log')
  })

  /** Warms the cache (or empties it) as the path needs, once per test: runs do not change it. */
  async function prepare(p: PathCase) {
    const res = p.warm
      ? await vault(['exec', 'saguaro', '-d', '1h', '--', 'true'], { env: home.env })
      : await vault(['clear'], { env: home.env })
    assert.equal(res.code, 0, res.stderr)
  }

  async function runExec(p: PathCase, command: string[], dashdash: boolean) {
    if (!p.warm) await prepare(p)
    await rm(pathLog, { force: true })
    const global = p.name === 'a global flag before the command' ? ['--debug'] : []
    const args = [...global, 'exec', ...p.before, 'saguaro', ...p.after, ...(dashdash ? ['--'] : []), ...command]
    const res = await vault(args, { env: { ...home.env, ...p.env, VAULT_PATH_LOG: pathLog } })
    const ran = (await readFile(pathLog, 'utf8')).trim().split('\n')
    return { res, ran: ran[ran.length - 1] }
  }

  for (const p of paths) {
    it(`${p.name}: the child gets every argument byte for byte, with and without --`, async () => {
      // A miss empties the cache before each run (runExec); the test starts with none cached.
      if (p.warm) await prepare(p)
      for (const dashdash of [true, false]) {
        for (const [label, typed] of argCases) {
          const { res, ran } = await runExec(p, [...printf, ...typed], dashdash)
          assert.equal(res.code, 0, `${label}: ${res.stderr}`)
          // printf prints its format once even with no arguments.
          assert.deepEqual(received(res.stdout), typed.length === 0 ? [''] : typed, label)
          assert.equal(ran, p.path, `${label}: served by the ${ran} path`)
        }
      }
    })
  }

  it('the reproductions from the issue, on a miss and on a hit', async () => {
    const cases: Array<[string[], string]> = [
      [['echo', 'x', 'y', 'x', 'z'], 'x y x z\n'],
      [['echo', 'a', 'saguaro', 'b'], 'a saguaro b\n'],
      [['printf', '%s|', '--flag', '--', '-x', '--flag'], '--flag|--|-x|--flag|'],
    ]
    for (const warm of [false, true]) {
      if (warm) await prepare(paths[0])
      for (const [command, expected] of cases) {
        for (const dashdash of [true, false]) {
          const p = paths[warm ? 0 : 2]
          const { res, ran } = await runExec(p, command, dashdash)
          assert.equal(res.code, 0, res.stderr)
          assert.equal(res.stdout, expected, `${command.join(' ')} (${ran})`)
          assert.equal(ran, warm ? 'fast' : 'full')
        }
      }
    }
  })

  it('--no-session with a cached session hands out the long-term key on both paths', async () => {
    assert.equal((await vault(['export', 'caktus'], { env: home.env })).code, 0) // caches a GetSessionToken session
    for (const env of [{}, { VAULT_FAST_PATH: '0' }] as Array<Record<string, string>>) {
      for (const flag of ['-n', '--no-session']) {
        const res = await vault(['export', '--format', 'json', flag, 'caktus'], { env: { ...home.env, ...env } })
        assert.equal(res.code, 0, res.stderr)
        const out = JSON.parse(res.stdout)
        assert.equal(out.AccessKeyId, 'AKIAIOSFODNN7EXAMPLE', `${flag} ${JSON.stringify(env)}`)
        assert.equal(out.SessionToken, undefined)
      }
    }
  })
})
