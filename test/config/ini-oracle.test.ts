// vault's INI reader (src/config/ini.ts) against two parsers it did not write: botocore's
// raw_config_parse (through build_profile_map, as the AWS CLI reads ~/.aws/config) and the JS SDK's
// parseIni (through loadSharedConfigFiles, its public door). On the common ground of real
// configs the three must give the same sections, keys and values; where they part, the table
// below names each one's answer exactly, and which one vault follows. aws-vault (go-ini, with
// `AllowNestedValues: true, InsensitiveKeys: true`: aws-vault vault/config.go parseFile) is the
// tiebreaker, since vault reads ~/.aws/config as aws-vault does.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { loadSharedConfigFiles } from '@smithy/core/config'
import { parseIni } from '../../src/config/ini.js'
import { seededRandom } from '../fakes/random.js'
import { CONFIG_PATH } from './helpers.js'

/** kind:name → key → value; a nested block's lines become `parent.sub` keys. Or an error. */
type Sections = Record<string, Record<string, string>>
type Shape = Sections | { error: string }

/** The sections of a reading that must have succeeded. */
function accepted(shape: Shape, what: string): Sections {
  assert.ok(!('error' in shape && typeof shape.error === 'string'), `${what}: ${JSON.stringify(shape)}`)
  return shape as Sections
}

const HELPER = fileURLToPath(new URL('../oracles/botocore-ini.py', import.meta.url))

/**
 * botocore comes with boto3, which Linux CI installs (.ci/install checks it); the quick layers on
 * macOS and Windows have no boto3, and this comparison of parsers does not depend on the platform,
 * so there, and only there, a missing botocore skips it. On Linux it fails.
 */
const NO_BOTOCORE =
  process.platform !== 'linux' &&
  spawnSync('python3', ['-c', 'import botocore.configloader'], { timeout: 30_000 }).status !== 0 &&
  'botocore is not installed (pip install boto3); Linux CI runs this comparison'

/**
 * botocore's reading of each text, in one python process for the whole batch. Its deadline is one
 * a busy machine does not reach: two test:quick runs at load 23 took this past 60 s (issue 27).
 */
function botocore(texts: string[]): Shape[] {
  const run = spawnSync('python3', [HELPER], { input: JSON.stringify(texts), timeout: 300_000, encoding: 'utf8' })
  assert.equal(run.status, 0, `botocore oracle failed: ${run.error ?? run.stderr}`)
  const out = JSON.parse(run.stdout) as Array<{ error: string } | { profiles: Raw; sso_sessions: Raw }>
  return out.map((r) => {
    if ('error' in r) return { error: r.error }
    const shape: Record<string, Record<string, string>> = {}
    for (const [kind, all] of [
      ['profile', r.profiles],
      ['sso-session', r.sso_sessions],
    ] as const) {
      for (const [name, values] of Object.entries(all)) shape[`${kind}:${name}`] = flatten(values)
    }
    return shape
  })
}
type Raw = Record<string, Record<string, string | Record<string, string>>>

function flatten(values: Record<string, string | Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string') out[key] = value
    else for (const [sub, v] of Object.entries(value)) out[`${key}.${sub}`] = v
  }
  return out
}

let dir = ''
let count = 0
/** The JS SDK's reading: parseIni's map, with its `profile.x` / `sso-session.x` names. */
async function jsSdk(text: string): Promise<Shape> {
  const file = join(dir, `config-${count++}`)
  writeFileSync(file, text)
  const { credentialsFile } = await loadSharedConfigFiles({
    filepath: file,
    configFilepath: join(dir, 'none'),
    ignoreCache: true,
  })
  const shape: Record<string, Record<string, string>> = {}
  for (const [section, values] of Object.entries(credentialsFile)) {
    const dot = section.indexOf('.')
    const prefix = section.slice(0, dot)
    let key: string | undefined
    if (section === 'default') key = 'profile:default'
    else if (prefix === 'profile' || prefix === 'sso-session') key = `${prefix}:${section.slice(dot + 1)}`
    if (key) shape[key] = { ...shape[key], ...(values as Record<string, string>) }
  }
  return shape
}

/** vault's reading; a nested block's raw text is read as botocore's _parse_nested reads it. */
function vault(text: string): Shape {
  try {
    const shape: Record<string, Record<string, string>> = {}
    for (const s of parseIni(text, CONFIG_PATH)) {
      const values: Record<string, string> = {}
      for (const [key, value] of Object.entries(s.values)) {
        if (!value.includes('\n') && !/^[ \t]/.test(value)) {
          values[key] = value
          continue
        }
        for (const line of value.split('\n')) {
          const eq = line.indexOf('=')
          values[`${key}.${line.slice(0, eq).trim()}`] = line.slice(eq + 1).trim()
        }
      }
      shape[`${s.kind}:${s.name}`] = values
    }
    return shape
  } catch (err) {
    return { error: (err as Error).constructor.name }
  }
}

/** A section with no keys: botocore and vault keep it, the SDK's map never makes it. */
function withoutEmpty(shape: Shape): Shape {
  if ('error' in shape && typeof shape.error === 'string') return shape
  return Object.fromEntries(Object.entries(shape).filter(([, v]) => Object.keys(v).length > 0))
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vault-ini-oracle-'))
})
after(() => rmSync(dir, { recursive: true, force: true }))

// The common ground: what real configs hold and all three parsers read alike. Each section and
// each key appears once (botocore refuses repeats), keys are lower case, values are unquoted and
// non-empty, and comments stand on their own lines. Everything outside it is in DISAGREEMENTS.
const NAMES = ['dev', 'prod', 'Prod', 'team.dev', 'a-b', 'x_y', 'ops@corp', 'r2d2', 'sso:admin']
const KEYS = ['region', 'output', 'role_arn', 'source_profile', 'mfa_serial', 'sso_session', 'credential_process', 'x']
const VALUES = [
  'us-east-1',
  'json',
  'arn:aws:iam::123456789012:role/Admin',
  'https://corp.awsapps.com/start#/',
  'a=b=c',
  'k;v',
  'v#1',
  '/usr/bin/helper --profile "x y"',
  'é ü 日本',
  'x y  z',
]
const COMMENTS = ['# a comment', '; a comment', '#', '   # indented comment', '\t; tab comment', '']

function pick<T>(next: () => number, from: readonly T[]): T {
  return from[Math.floor(next() * from.length)] as T
}

function randomConfig(next: () => number): string {
  const lines: string[] = []
  const names = NAMES.filter(() => next() < 0.4)
  const headers = [...(next() < 0.5 ? ['[default]'] : []), ...names.map((n) => `[profile ${n}]`)]
  if (next() < 0.3) headers.push(`[sso-session ${pick(next, NAMES)}]`)
  for (const header of headers) {
    if (next() < 0.3) lines.push(pick(next, COMMENTS))
    lines.push(next() < 0.2 ? `${header}  ${pick(next, ['# c', '; c'])}` : header)
    for (const key of KEYS.filter(() => next() < 0.35)) {
      if (next() < 0.2) lines.push(pick(next, COMMENTS))
      const [before, after] = pick(next, [
        [' ', ' '],
        ['', ''],
        ['   ', '\t'],
        ['\t', ' '],
      ])
      lines.push(`${key}${before}=${after}${pick(next, VALUES)}`)
    }
    if (next() < 0.25) {
      lines.push(pick(next, ['s3 =', 's3=', 'sts =']))
      for (const sub of ['max_concurrent_requests = 20', 'addressing_style=path', 'use_accelerate_endpoint = true']) {
        if (next() < 0.6) lines.push(`${pick(next, ['  ', '    ', '\t'])}${sub}`)
      }
      lines.push('  signature_version = s3v4')
    }
  }
  const eol = next() < 0.3 ? '\r\n' : '\n'
  return lines.join(eol) + (next() < 0.8 ? eol : '')
}

describe('INI reader: vault, botocore and the JS SDK agree on the common ground', { skip: NO_BOTOCORE }, () => {
  test('600 seeded random configs: the same sections, keys and values', async () => {
    const next = seededRandom(27)
    const texts = Array.from({ length: 600 }, () => randomConfig(next))
    const boto = botocore(texts)
    for (const [n, text] of texts.entries()) {
      const where = `config #${n} (seed 27): ${JSON.stringify(text)}`
      const want = accepted(vault(text), `vault refused ${where}`)
      assert.deepEqual(boto[n], want, `botocore ≠ vault on ${where}`)
      assert.deepEqual(await jsSdk(text), withoutEmpty(want), `JS SDK ≠ vault on ${where}`)
    }
  })
})

// Real-world configs: what `aws configure sso`, `aws configure set` and people write by hand.
const REAL_WORLD: Array<{ name: string; text: string }> = [
  {
    name: 'IAM Identity Center: an sso-session shared by two profiles, and a legacy sso profile',
    text: [
      '[default]',
      'region = eu-west-1',
      'output = json',
      '',
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start#/',
      'sso_region = eu-west-1',
      'sso_registration_scopes = sso:account:access',
      '',
      '[profile Dev-Admin]',
      'sso_session = corp',
      'sso_account_id = 111111111111',
      'sso_role_name = AdministratorAccess',
      'region = eu-central-1',
      '',
      '[profile prod.readonly]',
      'sso_session = corp',
      'sso_account_id = 222222222222',
      'sso_role_name = ReadOnly',
      '',
      '[profile legacy]',
      'sso_start_url = https://legacy.awsapps.com/start',
      'sso_region = us-east-1',
      'sso_account_id = 333333333333',
      'sso_role_name = PowerUser',
      '',
    ].join('\n'),
  },
  {
    name: 'aws-vault style: MFA, role chaining, durations; comments with # and ; at line start',
    text: [
      '# ~/.aws/config, managed by hand',
      '; keep this file sorted',
      '[default]',
      'region=us-east-1',
      '',
      '[profile jonsmith]',
      'mfa_serial = arn:aws:iam::111111111111:mfa/jonsmith',
      '    # the role below needs MFA',
      '[profile foo-readonly]',
      'source_profile = jonsmith',
      'role_arn = arn:aws:iam::22222222222:role/ReadOnly',
      'duration_seconds = 3600',
      'role_session_name = jon@example.com',
      'session_tags = key1=value1,key2=value2',
      'transitive_session_tags = key1',
      '\t; tab-indented comment',
      '[profile foo-admin]',
      'include_profile = foo-readonly',
      'role_arn = arn:aws:iam::22222222222:role/Administrator',
      'credential_process = /usr/local/bin/helper --role=admin --format json',
    ].join('\n'),
  },
  {
    name: 'nested s3 blocks with indented keys, CRLF line endings, odd spacing',
    text: [
      '[default]',
      'region   =   ap-southeast-2',
      's3 =',
      '    max_concurrent_requests = 20',
      '    max_queue_size = 10000',
      '    addressing_style=path',
      'cli_pager=',
      'output\t=\ttext',
      '[profile build]',
      'role_arn = arn:aws:iam::444444444444:role/ci',
      'web_identity_token_file = /var/run/secrets/token',
      's3=',
      '\tuse_accelerate_endpoint = true',
      '\tpayload_signing_enabled = false',
      'region = us-west-2',
      '',
    ].join('\r\n'),
  },
  {
    name: 'unknown sections, sections without keys, headers with trailing comments',
    text: [
      '[plugins]',
      'cli_legacy_plugin_path = /opt/plugins',
      '[profile empty]',
      '[profile with-comment] # why this profile exists',
      'region = sa-east-1',
      '[services local-s3]',
      's3 =',
      '  endpoint_url = http://localhost:4566',
      '[sso-session id.center]  ; the second portal',
      'sso_start_url = https://d-1234567890.awsapps.com/start',
      'sso_region = us-east-2',
      '[profile uses-services]',
      'services = local-s3',
      'endpoint_url = http://localhost:4566',
      'ca_bundle = /etc/ssl/certs/ca-certificates.crt',
    ].join('\n'),
  },
  {
    name: 'values with = and # and ; inside words, non-ASCII, case-sensitive section names',
    text: [
      '[profile Prod]',
      'role_arn = arn:aws:iam::555555555555:role/Prod',
      'session_tags = team=platform,cost=a;b',
      'credential_process = sh -c "echo x=y#z"',
      '[profile prod]',
      'role_arn = arn:aws:iam::555555555555:role/prod-lower',
      'role_session_name = jürgen',
      '[profile team@corp+ops]',
      'region = me-south-1',
    ].join('\n'),
  },
]

describe('INI reader: vault, botocore and the JS SDK agree on real-world configs', { skip: NO_BOTOCORE }, () => {
  const shapes: Shape[] = []
  before(() => shapes.push(...botocore(REAL_WORLD.map((f) => f.text))))
  for (const [n, { name, text }] of REAL_WORLD.entries()) {
    test(name, async () => {
      const want = accepted(vault(text), 'vault refused it')
      assert.ok(Object.keys(want).length >= 2, 'the file has sections')
      assert.deepEqual(shapes[n], want, 'botocore ≠ vault')
      // A key with an empty value (`cli_pager=`) the SDK reads as the opening of a nested block:
      // see the table below. Leave it out of the SDK's comparison only.
      const noEmptyValues = withoutEmpty(
        Object.fromEntries(
          Object.entries(want).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ''))]),
        ),
      )
      assert.deepEqual(await jsSdk(text), noEmptyValues, 'JS SDK ≠ vault')
    })
  }
})

// Where the three part. Each row asserts every parser's reading exactly, so a change in any of
// them is noticed; `goIni` says what aws-vault reads (go-ini, `AllowNestedValues: true,
// InsensitiveKeys: true`, aws-vault vault/config.go parseFile; its rules read from go-ini
// parser.go `parse` and `readValue`), the tiebreaker; `follows` says
// whose reading vault takes, and why. The JS SDK's map keeps a header it cannot read as
// `profile NAME` under its raw text (`profile  a`), which is no profile: shown here as absent.
// None of these rows is a case where botocore, the JS SDK and aws-vault all agree against vault.
const ERR = { error: 'ConfigError' }
const BOTO_ERR = { error: 'ConfigParseError' }
const DISAGREEMENTS: Array<{
  name: string
  text: string
  vault: Shape
  botocore: Shape
  jsSdk: Shape
  goIni: string
  follows: string
}> = [
  {
    name: 'inline comment after whitespace',
    text: '[profile a]\nregion = us-east-1 # c\noutput = json ; c\n',
    vault: { 'profile:a': { region: 'us-east-1', output: 'json' } },
    botocore: { 'profile:a': { region: 'us-east-1 # c', output: 'json ; c' } },
    jsSdk: { 'profile:a': { region: 'us-east-1', output: 'json' } },
    goIni: 'strips it (IgnoreInlineComment is false)',
    follows: 'go-ini and the JS SDK; botocore keeps inline comments in values',
  },
  {
    name: '# inside a word (an SSO start URL)',
    text: '[sso-session s]\nsso_start_url = https://x.awsapps.com/start#/\n',
    vault: { 'sso-session:s': { sso_start_url: 'https://x.awsapps.com/start#/' } },
    botocore: { 'sso-session:s': { sso_start_url: 'https://x.awsapps.com/start#/' } },
    jsSdk: { 'sso-session:s': { sso_start_url: 'https://x.awsapps.com/start#/' } },
    goIni: 'cuts at the "#" (even inside double quotes): https://x.awsapps.com/start',
    follows: 'botocore and the JS SDK, on purpose against go-ini: the URL the AWS CLI wrote is kept whole',
  },
  {
    name: 'upper-case key',
    text: '[profile a]\nRegion = eu-west-1\n',
    vault: { 'profile:a': { region: 'eu-west-1' } },
    botocore: { 'profile:a': { region: 'eu-west-1' } },
    jsSdk: { 'profile:a': { Region: 'eu-west-1' } },
    goIni: 'lower-cases keys (InsensitiveKeys: true)',
    follows: 'go-ini and botocore; the JS SDK keeps the case, so it would not see this region',
  },
  {
    name: 'upper-case key of a nested block',
    text: '[profile a]\nS3 =\n  Max = 1\n',
    vault: { 'profile:a': { 's3.Max': '1' } },
    botocore: { 'profile:a': { 's3.Max': '1' } },
    jsSdk: { 'profile:a': { 'S3.Max': '1' } },
    goIni: 'lower-cases the key s3; the nested text is kept as written',
    follows: 'go-ini and botocore',
  },
  {
    name: 'a quoted value',
    text: '[profile a]\nx = "quoted"\ny = \'single\'\n',
    vault: { 'profile:a': { x: 'quoted', y: 'single' } },
    botocore: { 'profile:a': { x: '"quoted"', y: "'single'" } },
    jsSdk: { 'profile:a': { x: '"quoted"', y: "'single'" } },
    goIni: 'removes the surrounding quotes',
    follows: 'go-ini, so a config written for aws-vault reads the same',
  },
  {
    name: 'an empty value',
    text: '[profile a]\nx =\nregion = r\n',
    vault: { 'profile:a': { x: '', region: 'r' } },
    botocore: { 'profile:a': { x: '', region: 'r' } },
    jsSdk: { 'profile:a': { region: 'r' } },
    goIni: 'an empty value',
    follows: 'go-ini and botocore; the JS SDK takes `x =` as the start of a nested block',
  },
  {
    name: 'an indented key after a value (a continuation line to botocore)',
    text: '[profile a]\nx = first\n  second = 2\n',
    vault: { 'profile:a': { x: 'first', second: '2' } },
    botocore: { 'profile:a': { x: 'first\nsecond = 2' } },
    jsSdk: { 'profile:a': { x: 'first', second: '2' } },
    goIni: 'a key of its own (AllowPythonMultilineValues is off)',
    follows: 'go-ini and the JS SDK',
  },
  {
    name: 'an indented line without "=" after a value',
    text: '[profile a]\nx = first\n  second\n',
    vault: ERR,
    botocore: { 'profile:a': { x: 'first\nsecond' } },
    jsSdk: { 'profile:a': { x: 'first' } },
    goIni: 'an error: key-value delimiter not found',
    follows: 'go-ini: an error naming file:line, where botocore appends and the JS SDK drops the line',
  },
  {
    name: 'a line without "="',
    text: '[profile a]\njunk\nregion = r\n',
    vault: ERR,
    botocore: BOTO_ERR,
    jsSdk: { 'profile:a': { region: 'r' } },
    goIni: 'an error: key-value delimiter not found',
    follows: 'go-ini and botocore; the JS SDK skips the line silently',
  },
  {
    name: '":" as the delimiter',
    text: '[profile a]\nregion : r\n',
    vault: ERR,
    botocore: { 'profile:a': { region: 'r' } },
    jsSdk: {},
    goIni: 'region = r (":" is one of its delimiters)',
    follows: 'none: vault names the line (see ini.ts: a line without "=" is a ConfigError); the JS SDK ignores it',
  },
  {
    name: 'a section that appears twice',
    text: '[profile a]\nregion = r1\nx = 1\n[profile a]\nregion = r2\n',
    vault: { 'profile:a': { region: 'r2', x: '1' } },
    botocore: BOTO_ERR,
    jsSdk: { 'profile:a': { region: 'r2', x: '1' } },
    goIni: 'one section, later keys winning',
    follows: 'go-ini and the JS SDK; botocore refuses the file (configparser strict mode)',
  },
  {
    name: 'a key set twice',
    text: '[profile a]\nregion = r1\nregion = r2\n',
    vault: { 'profile:a': { region: 'r2' } },
    botocore: BOTO_ERR,
    jsSdk: { 'profile:a': { region: 'r2' } },
    goIni: 'the last value',
    follows: 'go-ini and the JS SDK; botocore refuses the file',
  },
  {
    name: 'two spaces after "profile"',
    text: '[profile  a]\nregion = r\n',
    vault: { 'profile:a': { region: 'r' } },
    botocore: { 'profile:a': { region: 'r' } },
    jsSdk: {},
    goIni: 'section "profile  a", which aws-vault\'s lookup of "profile a" never finds',
    follows: 'botocore (the AWS CLI finds the profile, so vault does too)',
  },
  {
    name: 'a quoted profile name',
    text: '[profile "a b"]\nregion = r\n',
    vault: { 'profile:"a b"': { region: 'r' } },
    botocore: { 'profile:a b': { region: 'r' } },
    jsSdk: {},
    goIni: 'section `profile "a b"`: the name keeps its quotes',
    follows: 'go-ini',
  },
  {
    name: 'text after a header',
    text: '[profile a] junk\nregion = r\n',
    vault: ERR,
    botocore: { 'profile:a': { region: 'r' } },
    jsSdk: {},
    goIni: 'section "profile a", the text dropped',
    follows: 'none: vault names the line (ini.ts: a broken header is a ConfigError); the JS SDK loses the section',
  },
  {
    name: 'a header with two "]"',
    text: '[profile a]]\nregion = r\n',
    vault: ERR,
    botocore: { 'profile:a]': { region: 'r' } },
    jsSdk: {},
    goIni: 'section "profile a]" (up to the last "]")',
    follows: 'none: vault names the line rather than guess a name',
  },
  {
    name: 'a key outside any section',
    text: 'region = r\n[profile a]\nx = 1\n',
    vault: ERR,
    botocore: BOTO_ERR,
    jsSdk: { 'profile:a': { x: '1' } },
    goIni: 'puts it in its DEFAULT section, silently',
    follows: 'botocore: an error naming file:line, since the key would otherwise be lost',
  },
  {
    name: 'a section without keys',
    text: '[profile a]\n[profile b]\nx = 1\n',
    vault: { 'profile:a': {}, 'profile:b': { x: '1' } },
    botocore: { 'profile:a': {}, 'profile:b': { x: '1' } },
    jsSdk: { 'profile:b': { x: '1' } },
    goIni: 'an empty section',
    follows: 'go-ini and botocore: the profile exists (vault list shows it)',
  },
  {
    name: 'a byte-order mark',
    text: '\uFEFF[profile a]\nregion = r\n',
    vault: { 'profile:a': { region: 'r' } },
    botocore: BOTO_ERR,
    jsSdk: { 'profile:a': { region: 'r' } },
    goIni: 'skips the BOM',
    follows: 'go-ini and the JS SDK (botocore reads the BOM as text before the first header)',
  },
]

describe('INI reader: where vault, botocore and the JS SDK disagree (documented, asserted)', {
  skip: NO_BOTOCORE,
}, () => {
  const shapes: Shape[] = []
  before(() => shapes.push(...botocore(DISAGREEMENTS.map((r) => r.text))))
  for (const [n, row] of DISAGREEMENTS.entries()) {
    test(`${row.name}: vault follows ${row.follows.split(/[;:,]/)[0]}`, async () => {
      assert.deepEqual(vault(row.text), row.vault, 'vault')
      assert.deepEqual(shapes[n], row.botocore, 'botocore')
      assert.deepEqual(await jsSdk(row.text), row.jsSdk, 'JS SDK')
    })
  }
})
