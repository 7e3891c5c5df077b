import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeEach, describe, it } from 'node:test'
import {
  assumedRoleArn,
  awsCallerArn,
  type Home,
  mfaRolesConfig,
  mfaSerial,
  quietSdk,
  repoRoot,
  requireCommand,
  run,
  useServices,
  vault,
  vaultBin,
} from './harness.js'
import { useSharedHome } from './shared-home.js'
import { openTerminal } from './terminal.js'

const serial = mfaSerial
const config = mfaRolesConfig(
  [
    { name: 'role1', account: '111111111111' },
    { name: 'role2', account: '222222222222' },
    { name: 'role3', account: '333333333333', region: 'eu-west-1' },
  ],
  { defaultRegion: 'us-east-1' },
)
describe('vault exec and export, end to end (issue 5)', () => {
  const services = useServices()
  // No test here changes the keys: one home, with `config` and no cached session at each start.
  const shared = useSharedHome(services, config)
  let home: Home
  beforeEach(() => {
    home = shared()
  })

  it('the motivating scenario: one MFA code, three accounts, one GetSessionToken', async () => {
    requireCommand('aws')
    const arns: string[] = []
    for (const [i, profile] of ['role1', 'role2', 'role3'].entries()) {
      const args = ['exec', profile, ...(i === 0 ? ['--mfa-token', '123456'] : []), '--', ...awsCallerArn]
      const res = await vault(args, { env: home.env })
      assert.equal(res.code, 0, res.stderr + res.stdout)
      arns.push(res.stdout.trim())
    }
    assert.deepEqual(arns, ['111111111111', '222222222222', '333333333333'].map(assumedRoleArn))
    assert.equal(await services().recorder.count('GetSessionToken'), 1)
    assert.equal(await services().recorder.count('AssumeRole'), 3)
    // A repeat within the role credentials' lifetime makes no STS call at all.
    const again = await vault(['exec', 'role2', '--debug', '--', 'true'], { env: home.env })
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr, /profile role2: using cached role credentials \(expire in \d+m\)/)
    assert.equal(await services().recorder.count('AssumeRole'), 3)
  })

  it('serves boto3 through credential_process', async () => {
    await writeFile(
      home.configFile,
      `${config}\n[profile sdk]\nregion = us-east-1\ncredential_process = ${process.execPath} ${vaultBin} export --format json role2\n`,
    )
    const warm = await vault(['export', '--format', 'json', 'role2', '-t', '123456'], { env: home.env })
    assert.equal(warm.code, 0, warm.stderr)
    const json = JSON.parse(warm.stdout)
    assert.deepEqual(Object.keys(json), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'])
    assert.match(json.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const script = "import boto3; print(boto3.Session(profile_name='sdk').client('sts').get_caller_identity()['Arn'])"
    const res = await run(['-c', script], { env: home.env, cmd: 'python3' })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout.trim(), assumedRoleArn('222222222222'))
  })

  it('serves the AWS SDK for JS v3 through fromProcess', async () => {
    await writeFile(
      home.configFile,
      `${config}\n[profile sdk]\nregion = us-east-1\ncredential_process = ${process.execPath} ${vaultBin} export --format json role3\n`,
    )
    const warm = await vault(['export', '--format', 'json', 'role3', '-t', '123456'], { env: home.env })
    assert.equal(warm.code, 0, warm.stderr)
    const script = `
      const { fromProcess } = await import('@aws-sdk/credential-providers')
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts')
      const client = new STSClient({ region: 'us-east-1', credentials: fromProcess({ profile: 'sdk' }) })
      console.log((await client.send(new GetCallerIdentityCommand({}))).Arn)`
    const env = { ...home.env, ...quietSdk }
    const res = await run(['--input-type=module', '-e', script], { env, cmd: process.execPath, cwd: repoRoot })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout.trim(), assumedRoleArn('333333333333'))
  })

  it('propagates exit codes and signals, and reports unknown commands', async () => {
    const env = home.env
    assert.equal((await vault(['exec', 'caktus', '-t', '123456', '--', 'sh', '-c', 'exit 3'], { env })).code, 3)
    assert.equal((await vault(['exec', 'caktus', '--', 'sh', '-c', 'kill -TERM $$'], { env })).code, 143)
    const missing = await vault(['exec', 'caktus', '--', 'no-such-command-xyz'], { env })
    assert.equal(missing.code, 127)
    assert.equal(missing.stderr, 'vault: command not found: no-such-command-xyz\n')
  })

  it('without a command starts $SHELL, with a one-line hint on stderr', async () => {
    const res = await vault(['exec', 'caktus', '-t', '123456'], {
      env: { ...home.env, SHELL: '/bin/sh' },
      input: 'echo "in $AWS_VAULT"\nexit 3\n',
    })
    assert.equal(res.code, 3)
    assert.equal(res.stdout, 'in caktus\n')
    assert.equal(res.stderr, 'vault: starting /bin/sh with credentials for "caktus"; type exit to leave it\n')
  })

  it('scrubs the environment and sets AWS_VAULT, region and expiration', async () => {
    const env = {
      ...home.env,
      AWS_PROFILE: 'other',
      AWS_SECURITY_TOKEN: 'old',
      AWS_SDK_LOAD_CONFIG: '1',
      AWS_DEFAULT_PROFILE: 'x',
    }
    const res = await vault(['exec', 'role3', '-t', '123456', '--', 'env'], { env })
    assert.equal(res.code, 0, res.stderr)
    const childEnv = Object.fromEntries(
      res.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    )
    for (const k of ['AWS_PROFILE', 'AWS_SECURITY_TOKEN', 'AWS_SDK_LOAD_CONFIG', 'AWS_DEFAULT_PROFILE'])
      assert.equal(childEnv[k], undefined, k)
    assert.equal(childEnv.AWS_VAULT, 'role3')
    assert.equal(childEnv.AWS_REGION, 'eu-west-1')
    assert.equal(childEnv.AWS_DEFAULT_REGION, 'eu-west-1')
    assert.match(childEnv.AWS_ACCESS_KEY_ID, /^[A-Z0-9]{16,}$/)
    assert.ok(childEnv.AWS_SESSION_TOKEN)
    assert.match(childEnv.AWS_CREDENTIAL_EXPIRATION, /Z$/)
  })

  it('refuses to nest exec inside vault exec, and says how to force it', async () => {
    // export is allowed: in a shell activated by `eval "$(vault export …)"` it replaces the profile (issue 17).
    for (const cmd of [['exec', 'caktus', '--', 'true']]) {
      const res = await vault(cmd, { env: { ...home.env, AWS_VAULT: 'caktus' } })
      assert.equal(res.code, 2)
      assert.match(res.stderr, /already inside a vault exec session for profile "caktus"/)
      assert.match(res.stderr, /env -u AWS_VAULT/)
      assert.equal(res.stdout, '')
    }
  })

  it('fails fast and clearly with no terminal and no MFA code', async () => {
    const res = await vault(['export', 'role1'], { env: home.env, timeoutMs: 10_000 })
    assert.equal(res.code, 4)
    assert.match(res.stderr, /needs an MFA code for arn:aws:iam::111111111111:mfa\/jon, and there is no terminal/)
    assert.equal(res.stdout, '')
  })

  it('names an unreachable STS endpoint in one line', async () => {
    const res = await vault(['export', 'role1', '-t', '123456'], {
      env: { ...home.env, AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' },
      timeoutMs: 60_000,
    })
    assert.equal(res.code, 5)
    assert.match(
      res.stderr,
      /^vault: GetSessionToken: cannot reach STS at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\); check your network/,
    )
    assert.equal(res.stderr.trim().split('\n').length, 1)
  })

  it('rejects a malformed --mfa-token before calling STS', async () => {
    const res = await vault(['export', 'role1', '-t', '12ab'], { env: home.env })
    assert.equal(res.code, 4)
    assert.match(res.stderr, /six digits/)
    assert.equal(await services().recorder.count('GetSessionToken'), 0)
  })

  it('prompts for the MFA code on the real terminal while stdout is a pipe', async () => {
    const out = join(home.dir, 'out.json')
    const term = await openTerminal(
      home.dir,
      home.env,
      `${process.execPath} ${vaultBin} export --format json role1 | cat > ${out}; echo EXPORTED`,
    )
    try {
      await term.waitFor((s) => s.includes(`Enter MFA code for ${serial}:`))
      term.enter('12345') // a typo: asked again
      await term.waitFor((s) => s.includes('An MFA code is six digits'))
      term.enter('123456')
      await term.waitFor((s) => s.includes('EXPORTED'))
    } finally {
      term.close()
    }
    const json = JSON.parse(await readFile(out, 'utf8'))
    assert.equal(json.Version, 1)
    assert.equal(await services().recorder.count('GetSessionToken'), 1)
  })
})
