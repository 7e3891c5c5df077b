import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { canFindSections, findSection, indexIni, needsEveryLine, parseIni } from '../../src/config/ini.js'
import { ConfigError } from '../../src/errors.js'
import { seededRandom } from '../fakes/random.js'
import { CONFIG_PATH, ini, recordingLogger } from './helpers.js'

/** name → kind:name → values, the shape most rows compare. */
function shape(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  for (const s of parseIni(text, CONFIG_PATH)) out[`${s.kind}:${s.name}`] = s.values
  return out
}

describe('parseIni: syntax', () => {
  const rows: Array<{ name: string; text: string; want: Record<string, Record<string, string>> }> = [
    {
      name: 'reads [default], [profile NAME] and [sso-session NAME] in file order',
      text: ini(`
        [default]
        region = us-east-1
        [profile dev]
        role_arn = arn:aws:iam::1:role/dev
        [sso-session corp]
        sso_region = eu-west-1
      `),
      want: {
        'profile:default': { region: 'us-east-1' },
        'profile:dev': { role_arn: 'arn:aws:iam::1:role/dev' },
        'sso-session:corp': { sso_region: 'eu-west-1' },
      },
    },
    {
      name: 'keys are case-insensitive (lower-cased)',
      text: '[profile a]\nRegion = eu-west-1\nMFA_Serial = arn:mfa\n',
      want: { 'profile:a': { region: 'eu-west-1', mfa_serial: 'arn:mfa' } },
    },
    {
      name: 'section names are case-sensitive',
      text: '[profile Dev]\nregion = a\n[profile dev]\nregion = b\n',
      want: { 'profile:Dev': { region: 'a' }, 'profile:dev': { region: 'b' } },
    },
    {
      name: '# and ; start whole-line comments, indented or not',
      text: '# top\n; top\n[profile a]\n  # indented\n\t; tabbed\nregion = x\n',
      want: { 'profile:a': { region: 'x' } },
    },
    {
      name: 'an inline comment starts only where # or ; follows whitespace',
      text: '[profile a]\nregion = eu-west-1 # EU\nrole_arn = arn:x\t; note\nexternal_id = id#1;2\n',
      want: { 'profile:a': { region: 'eu-west-1', role_arn: 'arn:x', external_id: 'id#1;2' } },
    },
    {
      name: 'sso_start_url = https://x.awsapps.com/start#/ is kept whole',
      text: '[sso-session s]\nsso_start_url = https://x.awsapps.com/start#/\n',
      want: { 'sso-session:s': { sso_start_url: 'https://x.awsapps.com/start#/' } },
    },
    {
      name: 'a value beginning with # right after = is a value, not a comment',
      text: '[profile a]\nexternal_id=#abc\n',
      want: { 'profile:a': { external_id: '#abc' } },
    },
    {
      name: 'indented nested values are accepted and kept as raw text',
      text: '[profile a]\nregion = x\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\noutput = json\n',
      want: {
        'profile:a': {
          region: 'x',
          s3: '  max_concurrent_requests = 20\n  addressing_style = path',
          output: 'json',
        },
      },
    },
    {
      name: 'regression (dotted names): [profile team.dev] does not inherit [profile team]',
      text: '[profile team]\nregion = us-east-1\nrole_arn = arn:team\n[profile team.dev]\nmfa_serial = arn:mfa\n',
      want: {
        'profile:team': { region: 'us-east-1', role_arn: 'arn:team' },
        'profile:team.dev': { mfa_serial: 'arn:mfa' },
      },
    },
    {
      name: 'a section that appears twice is merged, the later key winning',
      text: '[profile a]\nregion = x\nrole_arn = r1\n[profile b]\n[profile a]\nrole_arn = r2\n',
      want: { 'profile:a': { region: 'x', role_arn: 'r2' }, 'profile:b': {} },
    },
    {
      name: 'a single quoted value loses its quotes (as go-ini); other quotes stay',
      text: '[profile a]\nregion = "eu-west-1"\ncredential_process = "/opt/my tool" --json\nrole_session_name = \'me\' # who\n',
      want: {
        'profile:a': { region: 'eu-west-1', credential_process: '"/opt/my tool" --json', role_session_name: 'me' },
      },
    },
    {
      name: 'CRLF line endings and a UTF-8 BOM are accepted',
      text: '\ufeff[default]\r\nregion = eu-west-1\r\n',
      want: { 'profile:default': { region: 'eu-west-1' } },
    },
    {
      name: 'whitespace around section names and keys is trimmed; empty values are kept as ""',
      text: '[  profile   a  ]\n   region   =   x   \nmfa_serial =\n',
      want: { 'profile:a': { region: 'x', mfa_serial: '' } },
    },
  ]
  for (const row of rows) test(row.name, () => assert.deepEqual(shape(row.text), row.want))

  test('records the line of each section and key for file:line messages', () => {
    const [s] = parseIni('\n[profile a]\n# c\nregion = x\n', CONFIG_PATH)
    assert.equal(s?.line, 2)
    assert.deepEqual(s?.keyLines, { region: 4 })
    assert.equal(s?.file, CONFIG_PATH)
  })
})

describe('parseIni: --debug notes', () => {
  test('a section that appears again, and a key set twice, are noted', () => {
    const log = recordingLogger()
    parseIni(
      '[profile a]\nregion = x\nregion = y\n[profile a]\nrole_arn = r\n[default]\n[profile default]\n',
      CONFIG_PATH,
      log,
    )
    assert.deepEqual(log.lines, [
      `${CONFIG_PATH}:4: [profile a] appears again (first at line 1); merging, later keys win`,
      `${CONFIG_PATH}:7: [default] appears again (first at line 6); merging, later keys win`,
      `${CONFIG_PATH}:3: region is set again in [profile a]; the last value wins`,
    ])
  })

  test('[profile default] is the default profile, as in the AWS CLI', () => {
    assert.deepEqual(shape('[profile default]\nregion = x\n'), { 'profile:default': { region: 'x' } })
  })
})

describe('parseIni: unknown sections', () => {
  test('are ignored, keys and nested blocks under them included, with a --debug note', () => {
    const log = recordingLogger()
    const text =
      '[plugins]\ncli_legacy_plugin_path = /x\nfoo =\n  bar = 1\n[Default]\nregion = x\n[profile a]\nregion = y\n'
    const sections = parseIni(text, CONFIG_PATH, log)
    assert.deepEqual(
      sections.map((s) => s.name),
      ['a'],
    )
    assert.deepEqual(log.lines, [
      `${CONFIG_PATH}:1: ignoring unknown section [plugins]`,
      `${CONFIG_PATH}:5: ignoring unknown section [Default]`,
    ])
  })
})

describe('parseIni: malformed lines are errors naming file:line', () => {
  const rows: Array<{ name: string; text: string; message: RegExp }> = [
    {
      name: 'a key outside any section',
      text: '# header\nregion = us-east-1\n[default]\n',
      message: /^\/home\/u\/\.aws\/config:2: "region" is outside any section$/,
    },
    {
      name: 'a section header with no closing bracket',
      text: '[default]\n[profile dev\nregion = x\n',
      message: /^\/home\/u\/\.aws\/config:2: broken section header "\[profile dev": no closing "\]"$/,
    },
    {
      name: 'text after a section header',
      text: '[profile dev] extra\n',
      message: /:1: broken section header "\[profile dev\] extra": unexpected text after "\]"$/,
    },
    { name: 'an empty section header', text: '[]\n', message: /:1: broken section header "\[\]": no name$/ },
    {
      name: '[profile] with no name',
      text: '[profile]\n',
      message: /:1: broken section header "\[profile\]": no name$/,
    },
    {
      name: 'a line with no =',
      text: '[default]\nregion = x\nrole_arn arn:aws:iam::1:role/x\n',
      message: /^\/home\/u\/\.aws\/config:3: "role_arn arn:aws:iam::1:role\/x" is not a setting: expected key = value$/,
    },
    { name: 'a line with no key', text: '[default]\n = x\n', message: /:2: missing key before "="$/ },
  ]
  for (const row of rows) {
    test(`regression (malformed lines): ${row.name}`, () => {
      assert.throws(
        () => parseIni(row.text, CONFIG_PATH),
        (err: unknown) => err instanceof ConfigError && row.message.test(err.message),
      )
    })
  }

  test('a key outside any section says where to put it', () => {
    assert.throws(() => parseIni('region = x\n', CONFIG_PATH), { hint: 'put it under [default] or [profile NAME]' })
  })
})

// The header-only scan (LINES_TO_CHECK in src/config/ini.ts) against the line-by-line rules it
// stands in for: on random files built from good and bad lines, both give the same index or the
// same error. A seeded generator, so a failure names a file that can be replayed.
describe('indexIni: the header-only scan agrees with checking every line', () => {
  const pieces = [
    '[default]',
    '[profile a]',
    '[profile a.b]',
    '[profile  spaced ]',
    '[sso-session s]',
    '[unknown x]',
    '[profile a] # c',
    '[profile b];c',
    '[]',
    '[profile]',
    '[profile c',
    '[profile a] x',
    '[profile a]]',
    '  [profile b]',
    '\t[default]',
    'region = us-east-1',
    'k=v',
    '  k = v',
    's3 =',
    's3 = # c',
    '  max = 1',
    '  no equals here',
    '= x',
    ' = x',
    'novalue',
    'k = "q"',
    'url = https://x/start#/',
    '# c',
    '; c',
    '  # c',
    '',
    '  ',
    '\t',
    'a = b\rc',
    'a = b\u2028c = d',
    '[profile a]\rx',
    '[profile a]\u2029x',
    '\r[profile x]',
    '\u2028[profile x]',
    '\uFEFF[default]',
    '[profile default]',
    '[sso-session default]',
    '[profile a]\t',
    '[profile a b]',
    '[profile\ta]',
    '[ default]',
    '[sso-session]',
    '[profile a[b]',
    '[Profile a]',
    '[profile a.b] ; c',
    '# [profile a]',
    'note = [default]',
  ]
  const clean = pieces.filter((p) => !needsEveryLine(`[default]\n${p}\n`))
  /** Up to 12 lines drawn from `from`, with \n or \r\n, usually ending in one. */
  function randomFile(next: () => number, from: string[]): string {
    const lines = Array.from({ length: 1 + Math.floor(next() * 12) }, () => from[Math.floor(next() * from.length)])
    const eol = next() < 0.3 ? '\r\n' : '\n'
    return lines.join(eol) + (next() < 0.8 ? eol : '')
  }
  function outcome(text: string, everyLine: boolean) {
    try {
      const { sections } = indexIni(text, CONFIG_PATH, undefined, { everyLine })
      return sections.map(({ kind, name, line, bodies }) => ({ kind, name, line, bodies }))
    } catch (err) {
      return (err as Error).message
    }
  }

  test('3,000 random files: the same sections, bodies and line numbers, or the same error', () => {
    const next = seededRandom(15)
    let headerOnly = 0
    for (let n = 0; n < 3000; n++) {
      // Half the files use only lines that need no line-by-line check, so both scans get work.
      const text = randomFile(next, n % 2 === 0 ? clean : pieces)
      if (!needsEveryLine(text)) headerOnly++
      assert.deepEqual(outcome(text, false), outcome(text, true), `file #${n}: ${JSON.stringify(text)}`)
    }
    assert.ok(headerOnly > 600 && headerOnly < 2400, `${headerOnly} of 3,000 files took the header-only scan`)
  })

  // findSection (a cache hit's lookup) against the index, on the same random files: wherever
  // canFindSections lets it stand in, it finds each section indexIni finds, with the same bodies and
  // line numbers, and nothing for a name indexIni does not have.
  test('3,000 random files: findSection finds what indexIni indexes, where canFindSections holds', () => {
    const next = seededRandom(16)
    const names = ['default', 'a', 'a.b', 'b', 'c', 's', 'x', 'spaced', 'a b', 'a[b', 'n', '']
    const plainPieces = pieces.filter((p) => canFindSections(`[default]\n${p}\n`))
    let plain = 0
    for (let n = 0; n < 3000; n++) {
      const text = randomFile(next, n % 2 === 0 ? plainPieces : pieces)
      if (!canFindSections(text)) continue
      plain++
      const index = indexIni(text, CONFIG_PATH, undefined, { everyLine: true })
      for (const kind of ['profile', 'sso-session'] as const) {
        const byName = kind === 'profile' ? index.profiles : index.ssoSessions
        for (const name of new Set([...names, ...byName.keys()])) {
          const want = byName.get(name)
          assert.deepEqual(
            findSection(text, kind, name),
            want && { kind: want.kind, name: want.name, line: want.line, bodies: want.bodies },
            `file #${n}, ${kind} ${JSON.stringify(name)}: ${JSON.stringify(text)}`,
          )
        }
      }
    }
    assert.ok(plain > 800 && plain < 2400, `${plain} of 3,000 files let findSection stand in`)
  })

  test('a file of 1,000 profiles takes the header-only scan; one nested block sends it line by line', () => {
    const profiles = Array.from({ length: 1000 }, (_, i) => `[profile p${i}]\nsource_profile = src\nregion = x\n`)
    const text = `# generated\n\n[default]\nregion = us-east-1\n${profiles.join('\n')}`
    assert.equal(needsEveryLine(text), false)
    assert.equal(needsEveryLine(`${text}[profile n]\ns3 =\n  max_concurrent_requests = 20\n`), false)
    assert.equal(needsEveryLine(`${text}[profile n]\ns3 =\n  addressing_style\n`), true)
    assert.deepEqual(outcome(text, false), outcome(text, true))
  })
})
