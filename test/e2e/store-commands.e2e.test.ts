import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  makeHome,
  requireCommand,
  type Services,
  startServices,
  testKeys,
  useServices,
  vault,
  vaultBin,
} from './harness.js'
import { openTerminal } from './terminal.js'

const config = `[default]
region = us-east-1

[profile caktus]

[profile saguaro]
source_profile = caktus
role_arn = arn:aws:iam::222222222222:role/Dev
`

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
}

describe('vault add, list, remove and clear (issue 4)', () => {
  let services: Services
  before(async () => {
    services = await startServices()
  })
  after(async () => {
    await services?.stop()
  })

  it('round trip on the Secret Service: add, list, exec, clear, remove', async () => {
    requireCommand('secret-tool')
    const home = await makeHome(services)
    await home.writeConfig(config)
    const add = await vault(['add', 'caktus', '--env'], { env: { ...home.env, ...testKeys } })
    assert.equal(add.code, 0, add.stderr)
    // aws-vault cli/add.go prints it on stdout (issue 14).
    assert.equal(add.stdout, 'Added credentials to profile "caktus" in vault\n')
    assert.equal(add.stderr, '')

    // The item is aws-vault's: service aws-vault, account = profile, data = its JSON.
    const found = spawnSync('secret-tool', ['lookup', 'service', 'aws-vault', 'username', 'caktus'], {
      env: home.env,
      encoding: 'utf8',
    })
    assert.deepEqual(JSON.parse(found.stdout), {
      AccessKeyID: testKeys.AWS_ACCESS_KEY_ID,
      SecretAccessKey: testKeys.AWS_SECRET_ACCESS_KEY,
    })

    // No file under HOME holds the secret in clear.
    for (const file of await filesUnder(home.dir)) {
      assert.ok(!(await readFile(file, 'utf8')).includes(testKeys.AWS_SECRET_ACCESS_KEY), `secret found in ${file}`)
    }

    assert.equal((await vault(['exec', 'saguaro', '--', 'true'], { env: home.env })).code, 0)
    const table = await vault(['list'], { env: home.env })
    assert.equal(table.code, 0, table.stderr)
    const lines = table.stdout.trim().split('\n')
    assert.match(lines[0], /^Profile\s+Credentials\s+Sessions$/)
    assert.match(lines[2], /^default\s+-\s+-$/)
    // aws-vault's label (cli/list.go sessionLabel): Go's Duration.String() of the time left.
    // saguaro is assumed straight from caktus's keys (no mfa_serial: no session first, as in aws-vault).
    assert.match(lines[3], /^caktus\s+caktus\s+-$/)
    assert.match(lines[4], /^saguaro\s+-\s+sts\.AssumeRole:(59m\d+s|1h0m0s)$/)

    assert.equal((await vault(['list', '--profiles'], { env: home.env })).stdout, 'default\ncaktus\nsaguaro\n')
    assert.equal((await vault(['list', '--credentials'], { env: home.env })).stdout, 'caktus\n')
    const json = JSON.parse((await vault(['list', '--json'], { env: home.env })).stdout)
    assert.equal(json[1].profile, 'caktus')
    assert.deepEqual(json[1].sessions, [])
    assert.equal(json[2].sessions[0].type, 'sts.AssumeRole')

    // aws-vault cli/clear.go's exact line, on stdout (issue 14).
    const clearOne = await vault(['clear', 'saguaro'], { env: home.env })
    assert.deepEqual([clearOne.stdout, clearOne.stderr], ['Cleared 1 session.\n', ''])
    const clear = await vault(['clear'], { env: home.env })
    assert.deepEqual([clear.stdout, clear.stderr], ['Cleared 0 sessions.\n', ''])

    const noForce = await vault(['remove', 'caktus'], { env: home.env })
    assert.notEqual(noForce.code, 0)
    assert.match(noForce.stderr, /pass -f\/--force/)
    const rm = await vault(['rm', 'caktus', '-f'], { env: home.env })
    assert.equal(rm.code, 0, rm.stderr)
    assert.deepEqual([rm.stdout, rm.stderr], ['Deleted credentials.\n', ''])
    const again = await vault(['remove', 'caktus', '-f'], { env: home.env })
    assert.equal(again.code, 3)
    assert.match(again.stderr, /no credentials for profile "caktus" in vault/)
    const missing = await vault(['exec', 'caktus', '--', 'true'], { env: home.env })
    assert.match(missing.stderr, /run: vault add caktus/)
    await home.cleanup()
  })

  it('add warns about key shapes AWS never issues (issue 25) and refuses profiles with source_profile', async () => {
    const home = await makeHome(services)
    await home.writeConfig(config)
    // aws-vault stores any key id (keys of S3-compatible services); vault stores it with a warning.
    const oddId = await vault(['add', 'caktus', '--env'], {
      env: { ...home.env, ...testKeys, AWS_ACCESS_KEY_ID: 'XKIA123' },
    })
    assert.equal(oddId.code, 0, oddId.stderr)
    assert.match(oddId.stderr, /is not shaped like an AWS key .*storing it as it is/)
    const oddSecret = await vault(['add', 'caktus', '--env'], {
      env: { ...home.env, ...testKeys, AWS_SECRET_ACCESS_KEY: 'short' },
    })
    assert.match(oddSecret.stderr, /has 5 characters, where AWS's have 40/)
    assert.ok(!oddSecret.stderr.includes('short'))
    // Still refused: what could not be read back (a control character).
    const badId = await vault(['add', 'caktus', '--env'], {
      env: { ...home.env, ...testKeys, AWS_ACCESS_KEY_ID: 'AKIA\u001b[2J' },
    })
    assert.equal(badId.code, 2, badId.stderr)
    const sourced = await vault(['add', 'saguaro', '--env'], { env: { ...home.env, ...testKeys } })
    assert.equal(sourced.code, 2)
    assert.match(sourced.stderr, /has source_profile "caktus".*vault add caktus/)
    await home.cleanup()
  })

  it('add --add-config appends the profile section once, leaving the rest intact', async () => {
    const home = await makeHome(services)
    await home.writeConfig(config)
    assert.equal((await vault(['add', 'newbie', '--env'], { env: { ...home.env, ...testKeys } })).code, 0)
    assert.equal(await readFile(home.configFile, 'utf8'), `${config}\n[profile newbie]\n`)
    assert.equal((await stat(home.configFile)).mode & 0o777, 0o600)
    assert.equal(
      (await vault(['add', 'other', '--env', '--no-add-config'], { env: { ...home.env, ...testKeys } })).code,
      0,
    )
    assert.ok(!(await readFile(home.configFile, 'utf8')).includes('other'))
    await vault(['rm', '-f', 'newbie'], { env: home.env })
    await vault(['rm', '-f', 'other'], { env: home.env })
    await home.cleanup()
  })

  it('the file backend: encrypted items, 0700/0600, passphrase from the environment', async () => {
    const home = await makeHome(services, { AWS_VAULT_BACKEND: 'file', AWS_VAULT_FILE_PASSPHRASE: 'correct horse' })
    await home.writeConfig(config)
    assert.equal((await vault(['add', 'caktus', '--env'], { env: { ...home.env, ...testKeys } })).code, 0)
    const dir = join(home.dir, '.awsvault', 'keys')
    assert.equal((await stat(dir)).mode & 0o777, 0o700)
    const item = join(dir, 'caktus')
    assert.equal((await stat(item)).mode & 0o777, 0o600)
    const jwe = await readFile(item, 'utf8')
    assert.equal(jwe.split('.').length, 5, 'JWE compact serialization')
    assert.ok(!jwe.includes(testKeys.AWS_SECRET_ACCESS_KEY))
    assert.equal((await vault(['list', '--credentials'], { env: home.env })).stdout, 'caktus\n')
    assert.equal((await vault(['exec', 'caktus', '--', 'true'], { env: home.env })).code, 0)
    const wrong = await vault(['exec', 'caktus', '--', 'true'], {
      env: { ...home.env, AWS_VAULT_FILE_PASSPHRASE: 'wrong' },
    })
    assert.equal(wrong.code, 69)
    assert.match(wrong.stderr, /passphrase/)
    const none = { ...home.env }
    delete (none as Record<string, string | undefined>).AWS_VAULT_FILE_PASSPHRASE
    const noTerminal = await vault(['export', 'caktus'], { env: none, timeoutMs: 10_000 })
    assert.equal(noTerminal.code, 69)
    assert.match(noTerminal.stderr, /AWS_VAULT_FILE_PASSPHRASE/)
    await home.cleanup()
  })

  it('an unknown backend is a usage error listing the valid ones', async () => {
    const home = await makeHome(services)
    const res = await vault(['list', '--backend', 'kwallet'], { env: home.env })
    assert.equal(res.code, 2)
    assert.match(res.stderr, /keychain, wincred, secret-service, file/)
    await home.cleanup()
  })
})

describe('a locked keyring (issue 4)', () => {
  let services: Services
  before(async () => {
    services = await startServices({ moto: false, keyringPassword: 'right', unlockWith: 'wrong' })
  })
  after(async () => {
    await services?.stop()
  })

  it('gives a clear error quickly, not "not found" and not a hang', async () => {
    const home = await makeHome(services)
    const started = Date.now()
    const res = await vault(['add', 'caktus', '--env'], { env: { ...home.env, ...testKeys }, timeoutMs: 15_000 })
    assert.equal(res.code, 69)
    assert.match(res.stderr, /locked/)
    assert.equal(res.stderr.trim().split('\n').length, 1, 'one line')
    assert.ok(Date.now() - started < 10_000)
    await home.cleanup()
  })

  // Without --backend, no D-Bus means the fallback backend (issue 23, headless.e2e.test.ts).
  it('no D-Bus at all, --backend secret-service: unavailable, suggesting --backend file', async () => {
    const home = await makeHome(services)
    const env = { ...home.env }
    delete (env as Record<string, string | undefined>).DBUS_SESSION_BUS_ADDRESS
    const res = await vault(['list', '--backend', 'secret-service'], { env, timeoutMs: 15_000 })
    assert.equal(res.code, 69)
    assert.match(res.stderr, /--backend file/)
    await home.cleanup()
  })
})

describe('vault add on a real terminal (issue 4)', () => {
  const services = useServices({ moto: false })

  it('asks for the key id, then the secret without echoing it', async () => {
    const home = await makeHome(services())
    await home.writeConfig(config)
    const term = await openTerminal(home.dir, home.env, `${process.execPath} ${vaultBin} add caktus; echo "EXIT $?"`)
    try {
      await term.waitFor((s) => s.includes('Enter Access Key ID'))
      term.enter(testKeys.AWS_ACCESS_KEY_ID)
      await term.waitFor((s) => s.includes('Enter Secret Access Key'))
      term.enter(testKeys.AWS_SECRET_ACCESS_KEY)
      const screen = await term.waitFor((s) => s.includes('EXIT '))
      assert.match(screen, /Added credentials to profile "caktus" in vault/)
      assert.match(screen, /EXIT 0/)
      assert.ok(!screen.includes(testKeys.AWS_SECRET_ACCESS_KEY), 'the secret is masked on screen')
    } finally {
      term.close()
    }
    assert.equal((await vault(['list', '--credentials'], { env: home.env })).stdout, 'caktus\n')
    await home.cleanup()
  })
})
