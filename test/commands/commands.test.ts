import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { repoRoot, run } from '../e2e/harness.js'

/**
 * Runs the oclif CLI from the TypeScript sources (bin/dev.js, which skips the fast path) with
 * a private environment; `AWS_VAULT_BACKEND=memory` keeps these tests off the real keychain.
 */
async function cli(argv: string[], env: Record<string, string>) {
  const res = await run(['--import', 'tsx', join(repoRoot, 'bin', 'dev.js'), ...argv], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cmd: process.execPath,
    cwd: repoRoot,
  })
  return { code: res.code ?? -1, stdout: res.stdout, stderr: res.stderr }
}

describe('commands, from the sources (issue 2)', () => {
  let dir: string
  let env: Record<string, string>
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vault-cmd-'))
    writeFileSync(
      join(dir, 'config'),
      '[default]\nregion = us-east-1\n\n[profile caktus]\n\n[profile saguaro]\nsource_profile = caktus\nrole_arn = arn:aws:iam::1:role/x\n',
    )
    env = { AWS_CONFIG_FILE: join(dir, 'config'), HOME: dir, AWS_VAULT_BACKEND: 'memory' }
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  const table: Array<{
    name: string
    argv: string[]
    env?: Record<string, string>
    code: number
    stdout?: RegExp
    stderr?: RegExp
  }> = [
    {
      name: '--help lists every command with its summary',
      argv: ['--help'],
      code: 0,
      stdout:
        /add +Store long-term AWS keys[\s\S]*clear +Delete cached sessions[\s\S]*exec +Run a command[\s\S]*export[\s\S]*list[\s\S]*login[\s\S]*remove[\s\S]*rotate/,
    },
    { name: '--version', argv: ['--version'], code: 0, stdout: /^vault\/\d+\.\d+\.\d+ / },
    {
      name: 'command help has examples',
      argv: ['exec', '--help'],
      code: 0,
      stdout: /EXAMPLES[\s\S]*vault exec caktus -- aws s3 ls/,
    },
    {
      name: 'an unknown command suggests the nearest',
      argv: ['exce'],
      code: 2,
      stderr: /^vault: unknown command "exce"; did you mean "vault exec"\?/,
    },
    {
      name: 'a bad --format is one line, exit 2',
      argv: ['export', '--format', 'yaml', 'caktus'],
      code: 2,
      stderr: /^vault: --format "yaml" is not one of: env, export-env, ini, json; run vault export --help\n$/,
    },
    {
      name: 'a missing argument names it and shows the usage (issue 14)',
      argv: ['add'],
      code: 2,
      stderr: /^vault: "vault add" needs PROFILE; usage: vault add PROFILE\n$/,
    },
    {
      name: 'an unknown flag suggests the nearest one (issue 14)',
      argv: ['export', 'caktus', '--regoin', 'x'],
      code: 2,
      stderr: /^vault: unknown flag --regoin for "vault export"; did you mean --region\? Or run vault export --help\n$/,
    },
    {
      name: 'a missing profile, with AWS_PROFILE unset (issue 14)',
      argv: ['export'],
      code: 2,
      stderr: /^vault: vault export needs a profile, and AWS_PROFILE is not set; name one: vault export PROFILE\n$/,
    },
    {
      name: 'a bad --duration',
      argv: ['export', 'caktus', '-d', 'soon'],
      code: 2,
      stderr: /^vault: .*--duration "soon" is not a duration/,
    },
    {
      name: 'no stored keys says what to run',
      argv: ['export', 'caktus'],
      code: 3,
      stderr: /^vault: profile "caktus" has no credentials in the keychain; run: vault add caktus\n$/,
    },
    {
      name: 'a missing source names it',
      argv: ['exec', 'saguaro', '--', 'true'],
      code: 3,
      stderr: /source profile "caktus" has no credentials.*run: vault add caktus/,
    },
    {
      name: 'nested exec is refused',
      argv: ['exec', 'caktus', '--', 'true'],
      env: { AWS_VAULT: 'x' },
      code: 2,
      stderr: /already inside a vault exec session for profile "x"/,
    },
    {
      name: 'add --env without variables',
      argv: ['add', 'caktus', '--env'],
      code: 2,
      stderr: /--env needs AWS_ACCESS_KEY_ID/,
    },
    {
      name: 'add masks a malformed key id',
      argv: ['add', 'caktus', '--env'],
      env: { AWS_ACCESS_KEY_ID: 'AKIA_NOT_A_REAL_KEY_X', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) },
      code: 2,
      stderr: /"\*+EY_X" is not an access key id/,
    },
    {
      name: 'add stores and reports',
      argv: ['add', 'caktus', '--env', '--no-add-config'],
      env: { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) },
      code: 0,
      stdout: /^Added credentials to profile "caktus" in vault\n$/,
      stderr: /^$/,
    },
    { name: 'clear counts', argv: ['clear'], code: 0, stdout: /^Cleared 0 sessions\.\n$/, stderr: /^$/ },
    {
      name: 'remove of nothing',
      argv: ['remove', 'caktus', '-f'],
      code: 3,
      stderr: /no credentials for profile "caktus" in vault/,
    },
    { name: 'list shows config order', argv: ['list', '--profiles'], code: 0, stdout: /^default\ncaktus\nsaguaro\n$/ },
    {
      name: 'list flags are exclusive',
      argv: ['list', '--profiles', '--sessions'],
      code: 2,
      stderr: /^vault: --profiles and --sessions cannot be used together; run vault list --help\n$/,
    },
    { name: 'an unknown backend', argv: ['list', '--backend', 'kwallet'], code: 2, stderr: /kwallet/ },
    {
      name: 'a typo with arguments suggests the command (issue 14)',
      argv: ['exce', 'dev'],
      code: 2,
      stderr: /^vault: unknown command "exce"; did you mean "vault exec"\? Run vault --help for all commands\n$/,
    },
    {
      name: 'an extra argument is named as one (issue 14)',
      argv: ['list', 'extra'],
      code: 2,
      stderr: /^vault: unexpected argument "extra" for "vault list"; run vault list --help\n$/,
    },
    {
      name: 'global flags before the command (issue 14)',
      argv: ['--backend', 'memory', 'list', '--profiles'],
      env: { AWS_VAULT_BACKEND: '' },
      code: 0,
      stdout: /^caktus\nsaguaro\n$|^default\ncaktus\nsaguaro\n$/,
    },
    { name: 'vault version (issue 14)', argv: ['version'], code: 0, stdout: /^vault\/\d+\.\d+\.\d+ \S+ node-v\d+/ },
    {
      name: 'vault --help shows aliases, an example per command and the global flags (issue 14)',
      argv: ['--help'],
      code: 0,
      stdout:
        /exec {2,}Run[\s\S]*\$ vault exec caktus -- aws s3 ls[\s\S]*list, ls {2,}List[\s\S]*GLOBAL FLAGS[\s\S]*--backend=<value> +\[env: AWS_VAULT_BACKEND\]/,
    },
    {
      name: 'an unknown prompt driver',
      argv: ['export', 'caktus', '--prompt', 'zenity2'],
      code: 2,
      stderr: /unknown prompt driver "zenity2"/,
    },
  ]
  for (const t of table) {
    it(t.name, async () => {
      const r = await cli(t.argv, { ...env, ...t.env })
      assert.equal(r.code, t.code, `${r.stderr}${r.stdout}`)
      if (t.stdout) assert.match(r.stdout, t.stdout)
      if (t.stderr) assert.match(r.stderr, t.stderr)
      if (t.code !== 0) assert.equal(r.stderr.trim().split('\n').length, 1, 'errors are one line')
    })
  }
})
