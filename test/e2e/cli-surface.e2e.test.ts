/**
 * The command line an aws-vault user knows (issue 14), end to end through bin/run.js: results on
 * stdout and everything else on stderr, checked separately for every command; aws-vault's list
 * formats; the pass backend against real pass and gpg; --profile-env, AWS_PROFILE as the default
 * profile, endpoint_url, AWS_VAULT_DISABLE_HELP_MESSAGE, and login with the environment's keys.
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { makePassStore, type PassFixture } from '../stores/pass-fixture.js'
import {
  freshHome,
  type Home,
  makeHome,
  mfaSerial,
  quietSdk,
  type Services,
  startServices,
  testKeys,
  useServices,
  vault,
  vaultBin,
} from './harness.js'
import { SigninStub } from './signin-stub.js'

const config = `[default]
output = json

[profile caktus]
region = eu-west-1

[profile saguaro]
source_profile = caktus
role_arn = arn:aws:iam::123456789012:role/Dev
`

const goDuration = '\\d+h\\d+m\\d+s|\\d+m\\d+s|\\d+s'

// The keyring, moto and the strict STS of the first two groups: each test starts from freshHome
// (its own HOME, the keys added again, no session, moto's recorder reset), so one set serves both
// (issue 27: a second set cost its start-up, moto's above all).
const keyringAndSts = useServices()

describe('results on stdout, the rest on stderr, for every command (issue 14)', () => {
  let services: Services
  let home: Home
  beforeEach(async () => {
    services = keyringAndSts()
    home = await freshHome(services, config, 'caktus', quietSdk)
  })
  afterEach(async () => {
    await home.cleanup()
  })

  it('add: aws-vault cli/add.go lines on stdout, "Deleted N existing sessions." after a re-add', async () => {
    assert.equal((await vault(['exec', 'caktus', '--', 'true'], { env: home.env })).code, 0)
    const res = await vault(['add', 'caktus', '--env'], { env: { ...home.env, ...testKeys } })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, 'Added credentials to profile "caktus" in vault\nDeleted 1 existing sessions.\n')
    assert.equal(res.stderr, '')
  })

  it('clear: "Cleared N sessions." on stdout, so `vault clear | grep Cleared` works', async () => {
    await vault(['exec', 'saguaro', '--', 'true'], { env: home.env })
    // A piped stdin is not taken for the missing PROFILE (oclif would): all sessions go.
    const res = await vault(['clear'], { env: home.env, input: 'saguaro\n' })
    // saguaro's role is assumed straight from caktus's keys (no mfa_serial: no session first, as in
    // aws-vault), so one session is cached.
    assert.deepEqual([res.code, res.stdout, res.stderr], [0, 'Cleared 1 session.\n', ''])
  })

  it('remove: -s deletes only sessions; -f deletes keys; both report on stdout', async () => {
    await vault(['exec', 'caktus', '--', 'true'], { env: home.env })
    const s = await vault(['remove', 'caktus', '-s'], { env: home.env })
    assert.deepEqual([s.code, s.stdout, s.stderr], [0, 'Deleted 1 sessions.\n', ''])
    assert.equal((await vault(['list', '--credentials'], { env: home.env })).stdout, 'caktus\n')
    await vault(['exec', 'caktus', '--', 'true'], { env: home.env })
    const f = await vault(['rm', 'caktus', '--force'], { env: home.env })
    assert.deepEqual([f.code, f.stdout, f.stderr], [0, 'Deleted credentials.\nDeleted 1 sessions.\n', ''])
    const none = await vault(['remove', 'caktus', '-f'], { env: home.env })
    assert.equal(none.code, 3)
    assert.equal(none.stdout, '')
    assert.match(none.stderr, /^vault: no credentials for profile "caktus" in vault; .*\n$/)
  })

  it('list: the table and each mode on stdout only; an empty [default] is hidden as aws-vault does', async () => {
    await vault(['exec', 'saguaro', '--', 'true'], { env: home.env })
    const table = await vault(['list'], { env: home.env })
    assert.equal(table.stderr, '')
    const lines = table.stdout.trimEnd().split('\n')
    assert.equal(lines.length, 4, table.stdout) // header, rule, caktus, saguaro: no [default] (output only)
    assert.match(lines[2], /^caktus\s+caktus\s+-$/)
    assert.match(lines[3], new RegExp(`^saguaro\\s+-\\s+sts\\.AssumeRole:(${goDuration})$`))
    const profiles = await vault(['list', '--profiles'], { env: home.env })
    assert.deepEqual([profiles.stdout, profiles.stderr], ['caktus\nsaguaro\n', ''])
    const creds = await vault(['ls', '--credentials'], { env: home.env })
    assert.deepEqual([creds.stdout, creds.stderr], ['caktus\n', ''])
    // aws-vault cli/list.go sessionLabel: TYPE:time.Until(expiry).Truncate(time.Second).
    const sessions = await vault(['list', '--sessions'], { env: home.env })
    assert.equal(sessions.stderr, '')
    assert.match(sessions.stdout, /^sts\.AssumeRole:(59m\d+s|1h0m0s)\n$/)
  })

  it('list marks which of two GetSessionToken sessions of one profile holds MFA (vault addition)', async () => {
    await vault(['exec', 'caktus', '--', 'true'], { env: home.env })
    await home.writeConfig(config.replace('region = eu-west-1', `region = eu-west-1\nmfa_serial = ${mfaSerial}`))
    assert.equal((await vault(['exec', 'caktus', '-t', '123456', '--', 'true'], { env: home.env })).code, 0)
    const res = await vault(['list', '--sessions'], { env: home.env })
    const labels = res.stdout.trimEnd().split('\n').sort()
    assert.equal(labels.length, 2, res.stdout)
    assert.match(labels[0], /^sts\.GetSessionToken:59m\d+s$/)
    assert.match(labels[1], /^sts\.GetSessionToken:59m\d+s \(MFA\)$/)
  })

  it('exec and export: credentials on stdout, nothing on stderr; the profile may come from AWS_PROFILE', async () => {
    const exec = await vault(['exec', 'caktus', '--', 'printenv', 'AWS_VAULT'], { env: home.env })
    assert.deepEqual([exec.code, exec.stdout, exec.stderr], [0, 'caktus\n', ''])
    // ByteNess cli/exec.go: the profile argument defaults to AWS_PROFILE; the child never sees AWS_PROFILE.
    const fromEnv = await vault(['exec'], {
      env: { ...home.env, AWS_PROFILE: 'caktus', SHELL: '/bin/sh' },
      input: 'echo "$AWS_VAULT $(printenv AWS_PROFILE || echo unset)"\n',
    })
    assert.equal(fromEnv.code, 0, `${fromEnv.stderr}${fromEnv.stdout}`)
    assert.equal(fromEnv.stdout, 'caktus unset\n')
    const exp = await vault(['export'], { env: { ...home.env, AWS_PROFILE: 'caktus' } })
    // Captured --format env output gets the one-line eval hint (issue 17), and nothing else.
    assert.match(exp.stderr, /^vault: note: --format env prints plain assignments; [^\n]*\n$/)
    assert.match(
      exp.stdout,
      /^AWS_REGION=eu-west-1\nAWS_DEFAULT_REGION=eu-west-1\nAWS_ACCESS_KEY_ID=\S+\nAWS_SECRET_ACCESS_KEY=\S+\nAWS_SESSION_TOKEN=/,
    )
    const missing = await vault(['export'], { env: home.env })
    assert.deepEqual([missing.code, missing.stdout], [2, ''])
    assert.equal(
      missing.stderr,
      'vault: vault export needs a profile, and AWS_PROFILE is not set; name one: vault export PROFILE\n',
    )
  })

  it('exec --profile-env and AWS_VAULT_PROFILE_ENV hand the command AWS_PROFILE, not keys', async () => {
    const show = ['--', 'sh', '-c', 'echo "$AWS_PROFILE|$(printenv AWS_ACCESS_KEY_ID || echo none)|$AWS_REGION"']
    const flag = await vault(['exec', 'caktus', '--profile-env', ...show], { env: home.env })
    assert.deepEqual([flag.code, flag.stdout, flag.stderr], [0, 'caktus|none|eu-west-1\n', ''])
    // Through the fast path too (a cache hit now), which has no flag: the variable decides.
    const env = await vault(['exec', 'caktus', ...show], { env: { ...home.env, AWS_VAULT_PROFILE_ENV: 'true' } })
    assert.deepEqual([env.code, env.stdout, env.stderr], [0, 'caktus|none|eu-west-1\n', ''])
    // A profile whose credentials cannot be had fails before the command runs.
    const broken = await vault(['exec', 'nosuch', '--profile-env', ...show], { env: home.env })
    assert.notEqual(broken.code, 0)
    assert.equal(broken.stdout, '')
  })

  it('exec hands endpoint_url to the command as AWS_ENDPOINT_URL (ByteNess createEnv)', async () => {
    await home.writeConfig(`${config}\n[profile local]\nsource_profile = caktus\nendpoint_url = ${services.motoUrl}\n`)
    const res = await vault(['exec', 'local', '--', 'printenv', 'AWS_ENDPOINT_URL'], { env: home.env })
    assert.deepEqual([res.code, res.stdout, res.stderr], [0, `${services.motoUrl}\n`, ''])
  })

  it('AWS_VAULT_DISABLE_HELP_MESSAGE=1 silences the subshell notice, as in aws-vault cli/exec.go', async () => {
    const env = { ...home.env, SHELL: '/bin/sh' }
    const loud = await vault(['exec', 'caktus'], { env, input: 'exit 0\n' })
    assert.equal(loud.stderr, 'vault: starting /bin/sh with credentials for "caktus"; type exit to leave it\n')
    const quiet = await vault(['exec', 'caktus'], {
      env: { ...env, AWS_VAULT_DISABLE_HELP_MESSAGE: '1' },
      input: 'exit 0\n',
    })
    assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, '', ''])
  })

  it('--file-dir places the file backend, like AWS_VAULT_FILE_DIR', async () => {
    const dir = join(home.dir, 'elsewhere')
    const res = await vault(['add', 'cholla', '--env', '--backend', 'file', '--file-dir', dir], {
      env: { ...home.env, ...testKeys, AWS_VAULT_FILE_PASSPHRASE: 'pw' },
    })
    assert.deepEqual([res.code, res.stdout, res.stderr], [0, 'Added credentials to profile "cholla" in vault\n', ''])
    assert.deepEqual(await readdir(dir), ['cholla'])
  })
})

describe('vault login with the credentials in the environment (ByteNess cli/login.go, issue 14)', () => {
  let services: Services
  let home: Home
  const stub = new SigninStub()
  before(async () => {
    await stub.start()
  })
  after(async () => {
    await stub.stop()
  })
  beforeEach(async () => {
    services = keyringAndSts()
    home = await freshHome(services, config, 'caktus', { ...quietSdk, VAULT_FEDERATION_ENDPOINT: stub.url })
    stub.reset()
  })
  afterEach(async () => {
    await home.cleanup()
  })

  it('role credentials (inside vault exec) go to the console as they are', async () => {
    const res = await vault(['exec', 'saguaro', '--', process.execPath, vaultBin, 'login', '--stdout'], {
      env: home.env,
    })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stderr, '')
    assert.match(res.stdout, /^http:\/\/127\.0\.0\.1:\d+\/federation\?Action=login&Issuer=vault&/)
    const role = JSON.parse((await vault(['export', 'saguaro', '--format', 'json'], { env: home.env })).stdout)
    assert.deepEqual(stub.session(0), {
      sessionId: role.AccessKeyId,
      sessionKey: role.SecretAccessKey,
      sessionToken: role.SessionToken,
    })
  })

  it('long-term keys go through GetFederationToken first; no keys and no profile is a usage error', async () => {
    await services.recorder.start()
    // Not AWS's example key: moto's GetFederationToken answers with that one.
    const envKeys = { AWS_ACCESS_KEY_ID: 'AKIAENVIRONMENT00001', AWS_SECRET_ACCESS_KEY: 'e'.repeat(40) }
    const res = await vault(['login', '--stdout'], { env: { ...home.env, ...envKeys } })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stderr, '')
    assert.equal(await services.recorder.count('GetFederationToken'), 1)
    assert.notEqual(stub.session(0).sessionId, envKeys.AWS_ACCESS_KEY_ID)
    assert.ok(stub.session(0).sessionToken)
    const none = await vault(['login', '--stdout'], { env: home.env })
    assert.deepEqual([none.code, none.stdout], [2, ''])
    assert.match(none.stderr, /^vault: vault login needs a profile, or credentials in AWS_ACCESS_KEY_ID/)
  })
})

describe('the pass backend, both ways with aws-vault (99designs/keyring pass.go, issue 14)', () => {
  let services: Services
  let fx: PassFixture
  let home: Home
  before(async () => {
    services = await startServices({ keyring: false })
    fx = await makePassStore()
  })
  after(async () => {
    await fx?.cleanup()
    await services?.stop()
  })
  beforeEach(async () => {
    home = await makeHome(services, { ...quietSdk, GNUPGHOME: fx.gnupgHome })
    await home.writeConfig(config)
  })
  afterEach(async () => {
    await home.cleanup()
  })

  it('vault add --backend pass writes the entry aws-vault reads; sessions land in pass too', async () => {
    const flags = ['--backend', 'pass', '--pass-dir', fx.dir, '--pass-prefix', 'aws']
    const add = await vault(['add', 'caktus', '--env', ...flags], { env: { ...home.env, ...testKeys } })
    assert.deepEqual([add.code, add.stdout, add.stderr], [0, 'Added credentials to profile "caktus" in vault\n', ''])
    // aws-vault's pass.go Get: `pass show PREFIX/KEY`, json.Unmarshal into keyring.Item, then the
    // credential JSON in Data (base64, as Go encodes []byte).
    const shown = fx.pass(['show', 'aws/caktus'])
    assert.equal(shown.status, 0, shown.stderr)
    const item = JSON.parse(shown.stdout)
    assert.equal(item.Key, 'caktus')
    assert.deepEqual(JSON.parse(Buffer.from(item.Data, 'base64').toString()), {
      AccessKeyID: testKeys.AWS_ACCESS_KEY_ID,
      SecretAccessKey: testKeys.AWS_SECRET_ACCESS_KEY,
    })
    const exec = await vault(['exec', 'caktus', ...flags, '--', 'printenv', 'AWS_VAULT'], { env: home.env })
    assert.deepEqual([exec.code, exec.stdout, exec.stderr], [0, 'caktus\n', ''])
    const ls = fx.pass(['ls', 'aws'])
    assert.match(ls.stdout, /sts\.GetSessionToken,Y2FrdHVz,,\d+/)
    // The variables alone (the fast path reads no flags) find the same store.
    const env = {
      ...home.env,
      AWS_VAULT_BACKEND: 'pass',
      AWS_VAULT_PASS_PASSWORD_STORE_DIR: fx.dir,
      AWS_VAULT_PASS_PREFIX: 'aws',
    }
    const sessions = await vault(['list', '--sessions'], { env })
    assert.match(sessions.stdout, /^sts\.GetSessionToken:\d+m\d+s\n$/)
    const cached = await vault(['export', 'caktus', '--format', 'json'], { env })
    assert.equal(cached.code, 0, cached.stderr)
    assert.equal(JSON.parse(cached.stdout).Version, 1)
  })

  it('reads keys that aws-vault stored with `pass insert` (PASSWORD_STORE_DIR, no prefix)', async () => {
    // Byte for byte what aws-vault writes: json.Marshal(keyring.Item) around json.Marshal(aws.Credentials).
    const creds = `{"AccessKeyID":"${testKeys.AWS_ACCESS_KEY_ID}","SecretAccessKey":"${testKeys.AWS_SECRET_ACCESS_KEY}","SessionToken":"","Source":"","CanExpire":false,"Expires":"0001-01-01T00:00:00Z","AccountID":""}`
    const item = `{"Key":"cholla","Data":"${Buffer.from(creds).toString('base64')}","Label":"aws-vault (cholla)","Description":"","KeychainNotTrustApplication":true,"KeychainNotSynchronizable":false}`
    assert.equal(fx.pass(['insert', '-m', '-f', 'cholla'], item).status, 0)
    const env = { ...home.env, PASSWORD_STORE_DIR: fx.dir }
    const res = await vault(
      ['exec', 'cholla', '--backend', 'pass', '--no-session', '--', 'printenv', 'AWS_SECRET_ACCESS_KEY'],
      {
        env,
      },
    )
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, `${testKeys.AWS_SECRET_ACCESS_KEY}\n`)
    const listed = await vault(['list', '--credentials', '--backend', 'pass'], { env })
    assert.match(listed.stdout, /^cholla$/m)
  })
})
