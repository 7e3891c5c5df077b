/**
 * Issue 28: every export format, fed hostile values and read by its real consumer. Shell formats
 * are run by the real shells (sh, bash, zsh, fish): nothing in a value runs, and each variable a
 * child sees is the value, byte for byte. env and ini either refuse a value (one UsageError) or
 * hold it exactly; ini is read back by botocore's own INI reader, json by JSON.parse.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { UsageError } from '../../src/errors.js'
import { type ExportFormat, formatCredentials } from '../../src/output/format.js'
import { hostileValues, runShell } from '../fakes/hostile.js'

const dir = mkdtempSync(join(tmpdir(), 'vault-hostile-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const marker = join(dir, 'PWNED')
const values = hostileValues(marker)
const expiration = new Date('2026-11-21T17:42:00Z')

/** The credentials with `value` in every field a source controls, and the profile name. */
const input = (value: string) => ({
  creds: { accessKeyId: `AKIA${value}`, secretAccessKey: value, sessionToken: `${value}tok`, expiration },
  options: { profile: `p${value}`, region: value },
})

/** What each variable must hold afterwards. */
const expected = (value: string) => ({
  AWS_VAULT: `p${value}`,
  AWS_REGION: value,
  AWS_DEFAULT_REGION: value,
  AWS_ACCESS_KEY_ID: `AKIA${value}`,
  AWS_SECRET_ACCESS_KEY: value,
  AWS_SESSION_TOKEN: `${value}tok`,
  AWS_CREDENTIAL_EXPIRATION: '2026-11-21T17:42:00Z',
})

const awsVars = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => /^AWS_/.test(k)))

/** The text of `format` for `value`, or the UsageError it refuses with. */
function attempt(format: ExportFormat, value: string): string | UsageError {
  const { creds, options } = input(value)
  try {
    return formatCredentials(format, creds, options)
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err))
    assert.match(err.message, new RegExp(`^--format ${format} cannot hold `))
    assert.ok(!err.message.includes(value) || value.length < 3, 'the refusal does not print the value')
    return err
  }
}

let n = 0
const fileWith = (text: string) => {
  const file = join(dir, `out-${++n}`)
  writeFileSync(file, text)
  return file
}

// How users load each shell format (README, vault shell-init): the eval form and fish's source.
const loaders = [
  { format: 'export-env', shell: 'sh', script: 'eval "$(cat "$F")"' },
  { format: 'export-env', shell: 'bash', script: 'eval "$(cat "$F")"' },
  { format: 'export-env', shell: 'zsh', script: 'eval "$(cat "$F")"' },
  { format: 'fish', shell: 'fish', script: 'source $F' },
  { format: 'fish', shell: 'fish', script: 'cat $F | source' },
] as const

describe('hostile values through every format (issue 28)', () => {
  for (const { format, shell, script } of loaders) {
    it(`--format ${format} loaded by ${shell} (${script}): nothing runs, every value round-trips`, () => {
      for (const value of values) {
        const text = attempt(format, value)
        assert.equal(typeof text, 'string', `${format} holds every value`)
        const r = runShell(shell, script, fileWith(text as string))
        assert.equal(existsSync(marker), false, `${shell} ran code from ${JSON.stringify(value)}:\n${text}`)
        assert.equal(r.status, 0, r.stderr)
        assert.deepEqual(awsVars(r.env), expected(value), `${shell} read ${JSON.stringify(value)} back`)
      }
    })
  }

  it('--format env: a value every reader takes literally is printed raw; any other is refused', () => {
    let refused = 0
    for (const value of values) {
      const text = attempt('env', value)
      if (text instanceof UsageError) {
        refused++
        continue
      }
      // The readers of KEY=value lines: a shell's eval (set -a exports), and docker --env-file's
      // literal split at the first '='.
      for (const shell of ['sh', 'bash'] as const) {
        const r = runShell(shell, 'set -a; eval "$(cat "$F")"', fileWith(text))
        assert.equal(existsSync(marker), false)
        const { AWS_VAULT: _, ...want } = expected(value)
        assert.deepEqual(awsVars(r.env), want)
      }
      const literal = Object.fromEntries(
        text
          .trimEnd()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      )
      assert.equal(literal.AWS_SECRET_ACCESS_KEY, value)
    }
    assert.ok(refused >= values.length - 2, `refused ${refused} of ${values.length}`)
  })

  it("--format ini: botocore's reader reads back exactly what was printed, or the value is refused", () => {
    let held = 0
    for (const value of values) {
      const text = attempt('ini', value)
      if (text instanceof UsageError) continue
      held++
      const file = fileWith(text)
      const r = spawnSync(
        'python3',
        [
          '-c',
          'import json,sys; from botocore.configloader import raw_config_parse; print(json.dumps(raw_config_parse(sys.argv[1])))',
          file,
        ],
        { encoding: 'utf8', timeout: 30_000 },
      )
      assert.equal(r.status, 0, r.stderr)
      assert.deepEqual(JSON.parse(r.stdout), {
        [`p${value}`]: {
          aws_access_key_id: `AKIA${value}`,
          aws_secret_access_key: value,
          aws_session_token: `${value}tok`,
          aws_credential_expiration: '2026-11-21T17:42:00Z',
          region: value,
        },
      })
    }
    assert.ok(held >= 8, `ini holds quotes, $(…), backticks and backslashes (held ${held})`)
  })

  it('--format ini refuses a line break, surrounding blanks and a comment a reader would cut off', () => {
    for (const value of ['a\nb', 'a\rb', ' a', 'a ', 'a ;b', 'a #b', 'a\u001b[2J']) {
      assert.ok(attempt('ini', value) instanceof UsageError, JSON.stringify(value))
    }
    assert.ok(attempt('ini', 'a]b') instanceof UsageError, 'the profile name is a section header')
  })

  it('--format json: JSON.parse gives every value back', () => {
    for (const value of values) {
      const parsed = JSON.parse(attempt('json', value) as string)
      assert.equal(parsed.SecretAccessKey, value)
      assert.equal(parsed.SessionToken, `${value}tok`)
    }
  })
})
