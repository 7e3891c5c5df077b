/**
 * Every flag and environment variable of ByteNess aws-vault v7.13.5 (cli/global.go and each
 * cli/*.go, read from the tagged sources), and what vault does with it (issue 14). The rows are
 * checked against oclif.manifest.json, the generated form of vault's command line that the fast
 * path reads too: a flag vault honours or accepts must be declared there on the right commands,
 * with aws-vault's variable as its `env`; a flag vault does not have must be absent, so this table
 * and README's aws-vault differences table cannot drift from the code.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { repoRoot } from '../e2e/harness.js'

interface ManifestFlag {
  name: string
  char?: string
  env?: string
  type: 'boolean' | 'option'
}
const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, { flags: Record<string, ManifestFlag>; aliases?: string[]; hiddenAliases?: string[] }>
}
const commands = ['add', 'clear', 'exec', 'export', 'list', 'login', 'remove', 'rotate']

type Support =
  /** Declared and does what aws-vault's does. */
  | 'honoured'
  /** Declared (scripts keep working) but vault cannot do what aws-vault does: README says why. */
  | 'accepted'
  /** Not in vault: README says why. */
  | 'absent'

interface Row {
  source: string
  /** `--name`, or a variable read without a flag. */
  flag?: string
  char?: string
  env?: string
  /** '*' for a global flag. */
  on: string[] | '*'
  support: Support
  why?: string
}

const global = (flag: string, env: string | undefined, support: Support, why?: string): Row => ({
  source: 'cli/global.go ConfigureGlobals',
  flag,
  env,
  on: '*',
  support,
  why,
})

const rows: Row[] = [
  global('debug', undefined, 'honoured'),
  global('backend', 'AWS_VAULT_BACKEND', 'honoured', 'keychain, wincred, secret-service, file, pass'),
  global('prompt', 'AWS_VAULT_PROMPT', 'honoured'),
  global(
    'keychain',
    'AWS_VAULT_KEYCHAIN_NAME',
    'accepted',
    '@napi-rs/keyring reaches the default keychain search list only',
  ),
  global(
    'secret-service-collection',
    'AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME',
    'accepted',
    '@napi-rs/keyring stores in the default collection only',
  ),
  global('pass-dir', 'AWS_VAULT_PASS_PASSWORD_STORE_DIR', 'honoured'),
  global('pass-cmd', 'AWS_VAULT_PASS_CMD', 'honoured'),
  global('pass-prefix', 'AWS_VAULT_PASS_PREFIX', 'honoured'),
  global('file-dir', 'AWS_VAULT_FILE_DIR', 'honoured'),
  ...[
    ['op-timeout', 'AWS_VAULT_OP_TIMEOUT'],
    ['op-vault-id', 'AWS_VAULT_OP_VAULT_ID'],
    ['op-item-title-prefix', 'AWS_VAULT_OP_ITEM_TITLE_PREFIX'],
    ['op-item-tag', 'AWS_VAULT_OP_ITEM_TAG'],
    ['op-connect-host', 'AWS_VAULT_OP_CONNECT_HOST'],
    ['op-desktop-account-id', 'AWS_VAULT_OP_DESKTOP_ACCOUNT_ID'],
    ['proton-pass-share-id', 'AWS_VAULT_PROTON_PASS_SHARE_ID'],
    ['proton-pass-item-title-prefix', 'AWS_VAULT_PROTON_PASS_ITEM_TITLE_PREFIX'],
    ['proton-pass-api-base', 'AWS_VAULT_PROTON_PASS_API_BASE'],
    ['proton-pass-timeout', 'AWS_VAULT_PROTON_PASS_TIMEOUT'],
  ].map(([flag, env]) => global(flag, env, 'absent', 'no 1Password or Proton Pass backend')),
  global('biometrics', 'AWS_VAULT_BIOMETRICS', 'absent', 'Touch ID needs a signed macOS binary'),
  {
    source: 'cli/global.go fileKeyringPassphrasePrompt',
    env: 'AWS_VAULT_FILE_PASSPHRASE',
    on: '*',
    support: 'honoured',
  },
  // cli/add.go
  { source: 'cli/add.go', flag: 'env', on: ['add'], support: 'honoured' },
  { source: 'cli/add.go', flag: 'add-config', on: ['add'], support: 'honoured' },
  // cli/remove.go
  { source: 'cli/remove.go', flag: 'force', char: 'f', on: ['remove'], support: 'honoured' },
  { source: 'cli/remove.go', flag: 'sessions-only', char: 's', on: ['remove'], support: 'honoured' },
  // cli/list.go
  ...['profiles', 'sessions', 'credentials'].map(
    (flag): Row => ({ source: 'cli/list.go', flag, on: ['list'], support: 'honoured' }),
  ),
  // cli/exec.go, cli/export.go, cli/login.go: the shared credential flags
  {
    source: 'cli/exec.go, export.go, login.go',
    flag: 'duration',
    char: 'd',
    env: 'AWS_VAULT_DURATION',
    on: ['exec', 'export', 'login'],
    support: 'honoured',
  },
  {
    source: 'cli/exec.go, export.go, login.go, rotate.go',
    flag: 'no-session',
    char: 'n',
    on: ['exec', 'export', 'login', 'rotate'],
    support: 'honoured',
  },
  { source: 'cli/exec.go, export.go, login.go', flag: 'region', on: ['exec', 'export', 'login'], support: 'honoured' },
  {
    source: 'cli/exec.go, export.go, login.go',
    flag: 'mfa-token',
    char: 't',
    on: ['exec', 'export', 'login'],
    support: 'honoured',
  },
  // cli/exec.go
  { source: 'cli/exec.go', flag: 'json', char: 'j', on: ['exec'], support: 'honoured' },
  { source: 'cli/exec.go', flag: 'ecs-server', char: 's', on: ['exec'], support: 'honoured', why: '--server too' },
  { source: 'cli/exec.go', flag: 'ec2-server', on: ['exec'], support: 'honoured', why: 'on a loopback port' },
  { source: 'cli/exec.go', flag: 'lazy', on: ['exec'], support: 'honoured' },
  { source: 'cli/exec.go', flag: 'profile-env', env: 'AWS_VAULT_PROFILE_ENV', on: ['exec'], support: 'honoured' },
  {
    source: 'cli/exec.go, export.go',
    flag: 'stdout',
    env: 'AWS_VAULT_STDOUT',
    on: ['exec', 'export'],
    support: 'honoured',
    why: 'the same as --no-browser: the SSO sign-in link is shown, no browser opened (issue 25)',
  },
  { source: 'cli/exec.go ExecCommand', env: 'AWS_VAULT_DISABLE_HELP_MESSAGE', on: ['exec'], support: 'honoured' },
  // cli/export.go
  { source: 'cli/export.go', flag: 'format', on: ['export'], support: 'honoured' },
  // cli/login.go
  { source: 'cli/login.go', flag: 'path', on: ['login'], support: 'honoured' },
  { source: 'cli/login.go', flag: 'stdout', char: 's', env: 'AWS_VAULT_STDOUT', on: ['login'], support: 'honoured' },
  {
    source: 'cli/login.go',
    flag: 'auto-logout',
    char: 'a',
    env: 'AWS_VAULT_AUTO_LOGOUT',
    on: ['login'],
    support: 'honoured',
  },
  // prompt/ykman.go
  { source: 'prompt/ykman.go', env: 'YKMAN_OATH_CREDENTIAL_NAME', on: '*', support: 'honoured' },
  { source: 'prompt/ykman.go', env: 'YKMAN_OATH_DEVICE_SERIAL', on: '*', support: 'honoured' },
  { source: 'prompt/ykman.go', env: 'AWS_VAULT_YKMAN_VERSION', on: '*', support: 'honoured' },
  // cli/migrate_backend.go (issue 25): the same flags, between vault's own backends.
  ...['from', 'to', 'profile', 'dry-run', 'overwrite', 'delete-source'].map(
    (flag): Row => ({ source: 'cli/migrate_backend.go', flag, on: ['migrate-backend'], support: 'honoured' }),
  ),
  {
    source: 'cli/proxy.go',
    flag: 'stop',
    on: ['proxy'],
    support: 'absent',
    why: 'no proxy command: the EC2 server listens on a loopback port, not 169.254.169.254:80',
  },
]

function allSources(): string {
  const dir = join(repoRoot, 'src')
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n')
}

describe("aws-vault's flags and variables in vault (ByteNess v7.13.5, issue 14)", () => {
  const source = allSources()
  for (const row of rows) {
    const what = row.flag ? `--${row.flag}${row.env ? ` / ${row.env}` : ''}` : row.env
    it(`${row.source}: ${what} is ${row.support}${row.why ? ` (${row.why})` : ''}`, () => {
      const on = row.on === '*' ? commands : row.on
      if (!row.flag) {
        // A variable aws-vault reads without a flag: vault reads it by name, or not at all.
        assert.equal(source.includes(`'${row.env}'`) || source.includes(`.${row.env}`), row.support !== 'absent')
        return
      }
      for (const id of on) {
        const flag: ManifestFlag | undefined = manifest.commands[id]?.flags[row.flag]
        if (row.support === 'absent') {
          assert.equal(flag, undefined, `vault ${id} --${row.flag} exists: update this row and README`)
          continue
        }
        assert.ok(flag, `vault ${id} has no --${row.flag}`)
        assert.equal(flag.env, row.env, `vault ${id} --${row.flag} env`)
        if (row.char) assert.equal(flag.char, row.char, `vault ${id} --${row.flag} short form`)
      }
    })
  }

  it("aws-vault's command aliases: ls for list, rm for remove (cli/list.go, cli/remove.go)", () => {
    const aliases = (id: string) => [
      ...(manifest.commands[id].aliases ?? []),
      ...(manifest.commands[id].hiddenAliases ?? []),
    ]
    assert.ok(aliases('list').includes('ls'))
    assert.ok(aliases('remove').includes('rm'))
  })
})
