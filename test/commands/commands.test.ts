import assert from 'node:assert/strict'
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { hasControlCharacter } from '../../src/output/printable.js'
import { SessionStore } from '../../src/sessions/session-store.js'
import { FileStore } from '../../src/stores/file-store.js'
import { repoRoot, run } from '../e2e/harness.js'

/**
 * Runs the full CLI as bin/run.js does, with the fast path skipped (every command goes through
 * oclif): its bundle, from the build that `npm test` and `npm run test:quick` make first (through
 * tsx, each run cost twice the CPU; issue 27). A private environment; `AWS_VAULT_BACKEND=memory`
 * keeps these tests off the real keychain.
 */
const fullCli = `const load = require(${JSON.stringify(join(repoRoot, 'bin', 'load-bundle.cjs'))}).loadBundle
const { prepareArgv } = load('fast')
load('cli').main(prepareArgv(process.argv.slice(1)), ${JSON.stringify(repoRoot)}, false)`

async function cli(argv: string[], env: Record<string, string>) {
  const res = await run(['-e', fullCli, '--', ...argv], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cmd: process.execPath,
    cwd: repoRoot,
  })
  return { code: res.code ?? -1, stdout: res.stdout, stderr: res.stderr }
}

/**
 * Runs every `[argv, env]` through the full CLI in one process (cli-batch.mjs): each as a process
 * of its own would see it (its own environment, output and exit code), without loading oclif again.
 */
async function cliBatch(cases: Array<{ argv: string[]; env: Record<string, string> }>) {
  const res = await run([join(import.meta.dirname, 'cli-batch.mjs')], {
    env: { PATH: process.env.PATH ?? '' },
    cmd: process.execPath,
    cwd: repoRoot,
    input: JSON.stringify({
      root: repoRoot,
      cases: cases.map((c) => ({ ...c, env: { PATH: process.env.PATH ?? '', ...c.env } })),
    }),
    timeoutMs: 300_000,
  })
  assert.equal(res.code, 0, res.stderr)
  return JSON.parse(res.stdout) as Array<{ code: number; stdout: string; stderr: string }>
}

// The rows read one config over a memory backend and change nothing: they share one process.
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
    { name: '--version', argv: ['--version'], code: 0, stdout: /^awsvault-cli\/\d+\.\d+\.\d+ / },
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
      // issue 25: a typo got "vault add sagauro" advice, which would store keys under the typo.
      name: 'a mistyped profile gets "did you mean", and no advice to store keys under the typo',
      argv: ['exec', 'sagauro', '--', 'true'],
      code: 3,
      stderr: /^vault: profile "sagauro" not found in \S+config; did you mean "saguaro"\?\n$/,
    },
    {
      // issue 25: "Cleared 0 sessions." and exit 0 for a profile nothing knows of.
      name: 'clear of an unknown profile is an error, with the nearest profile',
      argv: ['clear', 'caktsu'],
      code: 3,
      stderr: /^vault: profile "caktsu" not found in \S+config; did you mean "caktus"\?\n$/,
    },
    {
      // issue 25: aws-vault (cli/exec.go) takes --lazy without a server and ignores it.
      name: 'exec --lazy without a server parses (the profile is what is missing)',
      argv: ['exec', '--lazy', 'nosuchprofile', '--', 'true'],
      code: 3,
      stderr: /^vault: profile "nosuchprofile" not found/,
    },
    {
      // issue 25: aws-vault's --stdout (cli/exec.go, export.go) was an unknown flag.
      name: 'export and exec take --stdout',
      argv: ['export', '--stdout', 'nosuchprofile'],
      code: 3,
      stderr: /^vault: profile "nosuchprofile" not found/,
    },
    {
      // issue 25: USAGE repeated the nine global flags, and each page ended with ~25 lines of them.
      name: 'command help: USAGE without the global flags, which are named once in a short block',
      argv: ['clear', '--help'],
      code: 0,
      stdout:
        /^USAGE\n {2}\$ vault clear \[PROFILE\] \[--sso\]\n[\s\S]*\nGLOBAL FLAGS\n {2}--backend, --debug,[^\n]*\n[^\n]*\n[^\n]*what each does\.\n+$/m,
    },
    {
      name: "list --help: --json is the command's own flag, not a global one",
      argv: ['list', '--help'],
      code: 0,
      stdout: /\nFLAGS\n[\s\S]*--json[\s\S]*\nGLOBAL FLAGS\n(?![\s\S]*--json)/,
    },
    {
      name: '--prompt help names every driver',
      argv: ['--help'],
      code: 0,
      stdout: /driver:\s+terminal,\s+ykman,\s+pass,\s+zenity,\s+kdialog,\s+osascript,\s+wincredui\./,
    },
    {
      // issue 25: AWS_VAULT_DURATION=5m blamed --duration.
      name: 'a duration from AWS_VAULT_DURATION is blamed on the variable, not on --duration',
      argv: ['export', 'caktus'],
      env: { AWS_VAULT_DURATION: '5m' },
      code: 2,
      stderr: /^vault: AWS_VAULT_DURATION=5m is below/,
    },
    {
      name: 'a duration from --duration is blamed on the flag',
      argv: ['export', 'caktus', '--duration', '5m'],
      code: 2,
      stderr: /^vault: --duration 5m is below/,
    },
    {
      name: 'a bad --format is one line, exit 2',
      argv: ['export', '--format', 'yaml', 'caktus'],
      code: 2,
      stderr: /^vault: --format "yaml" is not one of: env, export-env, fish, ini, json; run vault export --help\n$/,
    },
    {
      name: "an unsupported shell is vault's own line listing the shells, exit 2 (issue 25)",
      argv: ['shell-init', 'powershell'],
      code: 2,
      stderr: /^vault: SHELL "powershell" is not one of: bash, zsh, fish; run vault shell-init --help\n$/,
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
      // Issue 25: aws-vault stores any shape; a space or a control character is still refused, masked.
      name: 'add refuses a key id with a space, masked',
      argv: ['add', 'caktus', '--env'],
      env: { AWS_ACCESS_KEY_ID: 'AKIA$(touch /tmp/x)', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) },
      code: 2,
      stderr: /^vault: "\*+p\/x\)" cannot be an access key id: it holds a space or a control character;/,
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
    {
      name: 'vault version (issue 14)',
      argv: ['version'],
      code: 0,
      stdout: /^awsvault-cli\/\d+\.\d+\.\d+ \S+ node-v\d+/,
    },
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
  let results: Awaited<ReturnType<typeof cliBatch>>
  before(async () => {
    results = await cliBatch(table.map((t) => ({ argv: t.argv, env: { ...env, ...t.env } })))
  })
  for (const [i, t] of table.entries()) {
    it(t.name, () => {
      const r = results[i]
      assert.equal(r.code, t.code, `${r.stderr}${r.stdout}`)
      if (t.stdout) assert.match(r.stdout, t.stdout)
      if (t.stderr) assert.match(r.stderr, t.stderr)
      if (t.code !== 0) assert.equal(r.stderr.trim().split('\n').length, 1, 'errors are one line')
    })
  }
})

/**
 * The commands that change the store, each a separate process over one persistent backend (the
 * file backend in a temp dir), so each step sees what the one before it stored (issue 15: these
 * used a memory backend that each process lost on exit, so nothing they claimed was checked).
 */
describe('store commands over a persistent backend, one process each (issue 15)', () => {
  let dir: string
  let env: Record<string, string>
  const keysDir = () => join(dir, '.awsvault', 'keys')
  const KEYS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) }
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vault-cmd-store-'))
    writeFileSync(join(dir, 'config'), '[profile caktus]\nregion = us-east-1\n')
    env = {
      AWS_CONFIG_FILE: join(dir, 'config'),
      HOME: dir,
      AWS_VAULT_BACKEND: 'file',
      AWS_VAULT_FILE_PASSPHRASE: 'test passphrase',
    }
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('add stores and reports: the key is in the file backend, and list shows it', async () => {
    const r = await cli(['add', 'caktus', '--env', '--no-add-config'], { ...env, ...KEYS })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Added credentials to profile "caktus" in vault\n')
    assert.equal(r.stderr, '')
    assert.deepEqual(readdirSync(keysDir()), ['caktus'])
    const item = await new FileStore({ dir: keysDir(), passphrase: async () => 'test passphrase' }).get('caktus')
    assert.deepEqual(JSON.parse(item?.data ?? '{}'), {
      AccessKeyID: KEYS.AWS_ACCESS_KEY_ID,
      SecretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY,
    })
    const list = await cli(['list', '--credentials'], env)
    assert.equal(list.stdout, 'caktus\n')
  })

  it('clear counts the sessions it removed, and removes them', async () => {
    const store = new FileStore({ dir: keysDir(), passphrase: async () => 'test passphrase' })
    const sessions = new SessionStore(store)
    const expiration = new Date(Date.now() + 3600_000)
    const creds = { accessKeyId: 'ASIAX', secretAccessKey: 's'.repeat(40), sessionToken: 't', expiration }
    await sessions.set({ type: 'sts.GetSessionToken', profile: 'caktus', mfaSerial: '' }, creds, new Date())
    await sessions.set({ type: 'sts.AssumeRole', profile: 'saguaro', mfaSerial: '' }, creds, new Date())
    assert.equal(readdirSync(keysDir()).length, 3)
    const r = await cli(['clear'], env)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Cleared 2 sessions.\n')
    assert.equal(r.stderr, '')
    assert.deepEqual(readdirSync(keysDir()), ['caktus'])
    assert.equal((await cli(['clear'], env)).stdout, 'Cleared 0 sessions.\n')
  })

  it('clear PROFILE says "1 session"; a profile with a section and nothing cached clears 0; one nothing knows is exit 3', async () => {
    const store = new FileStore({ dir: keysDir(), passphrase: async () => 'test passphrase' })
    const expiration = new Date(Date.now() + 3600_000)
    const creds = { accessKeyId: 'ASIAX', secretAccessKey: 's'.repeat(40), sessionToken: 't', expiration }
    await new SessionStore(store).set({ type: 'sts.AssumeRole', profile: 'saguaro', mfaSerial: '' }, creds, new Date())
    const one = await cli(['clear', 'saguaro'], env)
    assert.deepEqual([one.code, one.stdout, one.stderr], [0, 'Cleared 1 session.\n', ''])
    const none = await cli(['clear', 'caktus'], env)
    assert.deepEqual([none.code, none.stdout, none.stderr], [0, 'Cleared 0 sessions.\n', ''])
    const gone = await cli(['clear', 'saguaro'], env)
    assert.equal(gone.code, 3)
    assert.match(gone.stderr, /^vault: profile "saguaro" not found in /)
  })

  it('remove deletes the key; remove of nothing then says so, exit 3', async () => {
    const r = await cli(['remove', 'caktus', '-f'], env)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Deleted credentials.\n')
    assert.equal(r.stderr, '')
    assert.deepEqual(readdirSync(keysDir()), [])
    const again = await cli(['remove', 'caktus', '-f'], env)
    assert.equal(again.code, 3)
    assert.equal(
      again.stderr,
      'vault: no credentials for profile "caktus" in vault; see what is stored with: vault list\n',
    )
  })

  // Names a [profile NAME] header cannot hold so that vault and the AWS CLI read it back.
  for (const [name, why] of [
    ['', 'it is empty'],
    [' lead', 'it starts or ends with a space'],
    ['trail ', 'it starts or ends with a space'],
    ['a\nb', 'it holds a control character'],
    ['a\u001b[31mred', 'it holds a control character'],
    ['a[b', 'it holds a bracket'],
    ['a]b', 'it holds a bracket'],
    ['e ;f', 'a space followed by "#" or ";"'],
  ]) {
    it(`add refuses ${JSON.stringify(name)} with exit 2, stores nothing, and prints no raw control character`, async () => {
      const r = await cli(['add', name, '--env'], { ...env, ...KEYS })
      assert.equal(r.code, 2, r.stderr)
      assert.ok(r.stderr.startsWith('vault: "'), r.stderr)
      assert.ok(r.stderr.includes(why), r.stderr)
      assert.equal(r.stderr.trim().split('\n').length, 1)
      assert.equal(hasControlCharacter(r.stderr.slice(0, -1)), false, r.stderr)
      assert.deepEqual(existsSync(keysDir()) ? readdirSync(keysDir()) : [], [])
    })
  }

  it('add accepts "a;b", which vault and the AWS CLI (v1 and v2) read back from [profile a;b]', async () => {
    const r = await cli(['add', 'a;b', '--env'], { ...env, ...KEYS })
    assert.equal(r.code, 0, r.stderr)
    assert.match(readFileSync(join(dir, 'config'), 'utf8'), /\n\[profile a;b\]\n/)
    assert.equal((await cli(['list', '--credentials'], env)).stdout, 'a;b\n')
  })
  it('add writes [profile NAME] through a symlinked config, after a blank line, the link kept (issues 25, 28)', async () => {
    const target = join(dir, 'dotfiles-config')
    const link = join(dir, 'linked-config')
    writeFileSync(target, '[default]\nregion = us-east-1\n')
    symlinkSync(target, link)
    const r = await cli(['add', 'linked', '--env'], { ...env, ...KEYS, AWS_CONFIG_FILE: link })
    assert.equal(r.code, 0, r.stderr)
    assert.ok(lstatSync(link).isSymbolicLink())
    assert.equal(readFileSync(target, 'utf8'), '[default]\nregion = us-east-1\n\n[profile linked]\n')
  })

  it('add stores a key id of any printable shape with a warning (issue 25, aws-vault cli/add.go stores it)', async () => {
    const r = await cli(['add', 'minio', '--env', '--no-add-config'], {
      ...env,
      AWS_ACCESS_KEY_ID: 'minio-admin',
      AWS_SECRET_ACCESS_KEY: 'minio-secret-key',
    })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stderr, /^vault: warning: access key id "\*+dmin" is not shaped like an AWS key/m)
    assert.ok(!r.stderr.includes('minio-secret-key'))
    assert.equal(r.stdout, 'Added credentials to profile "minio" in vault\n')
  })

  it('add with no D-Bus names the profile, not a store step or an internal item key (issue 25)', async () => {
    const r = await cli(['add', 'caktus', '--env', '--backend', 'secret-service'], {
      ...env,
      ...KEYS,
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}`,
    })
    assert.equal(r.code, 69, r.stderr)
    assert.match(r.stderr, /^vault: cannot store the keys of profile "caktus": the Secret Service keyring /)
    assert.doesNotMatch(r.stderr, /reading|sts\.|c2Fn/)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  })
})
