import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import {
  assumedRoleArn,
  type Home,
  mfaRolesConfig,
  quietSdk,
  repoRoot,
  requireCommand,
  run,
  useServices,
} from './harness.js'
import { assertRefreshedAcrossExpiry, boto3Loop, refreshRun, sdkLoop } from './server-clients.js'
import { useSharedHome } from './shared-home.js'

const config = mfaRolesConfig([{ name: 'role1', account: '111111111111', region: 'us-east-1' }])
const role1Arn = assumedRoleArn('111111111111')

/** Runs `vault exec --ecs-server ARGS` from the repository, so a node child finds the AWS SDK. */
const execServer = (args: string[], env: Record<string, string>, timeoutMs = 60_000) =>
  run(['exec', '--ecs-server', ...args], { env: { ...env, ...quietSdk }, cwd: repoRoot, timeoutMs })

describe('vault exec --ecs-server, end to end (issue 7)', () => {
  const services = useServices()
  // No test here changes the keys: one home, with `config` and no cached session at each start.
  const shared = useSharedHome(services, config)
  let home: Home
  beforeEach(async () => {
    home = shared()
    await services().sts.lifetime({})
  })

  it('serves boto3 and the AWS SDK for JS v3, which hold no keys in their environment', async () => {
    const py = `
import boto3, json, os
leaked = [k for k in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE') if k in os.environ]
print(json.dumps({'leaked': leaked, 'tokenLength': len(os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']),
  'uri': os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'],
  'arn': boto3.client('sts').get_caller_identity()['Arn']}))`
    const res = await execServer(['role1', '-t', '123456', '--', 'python3', '-c', py], home.env)
    assert.equal(res.code, 0, res.stderr)
    const out = JSON.parse(res.stdout)
    assert.deepEqual(out.leaked, [])
    assert.ok(out.tokenLength >= 40, 'the token carries at least 30 random bytes')
    assert.match(out.uri, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.equal(out.arn, role1Arn)

    const js = `
const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts')
console.log((await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn)`
    const sdk = await execServer(['role1', '--', process.execPath, '--input-type=module', '-e', js], home.env)
    assert.equal(sdk.code, 0, sdk.stderr)
    assert.equal(sdk.stdout.trim(), role1Arn)
    // The second run found role1's credentials in the keychain: one MFA code, one AssumeRole.
    assert.equal(await services().recorder.count('GetSessionToken'), 1)
    assert.equal(await services().recorder.count('AssumeRole'), 1)
  })

  it('/role-arn/ARN: boto3 gets a role assumed from the profile credentials, cached per ARN', async () => {
    const py = `
import boto3, os
base = os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']
for arn in ['arn:aws:iam::222222222222:role/Reader', 'arn:aws:iam::333333333333:role/Reader', 'arn:aws:iam::222222222222:role/Reader']:
    os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'] = base + 'role-arn/' + arn
    print(boto3.Session().client('sts').get_caller_identity()['Arn'])`
    const res = await execServer(['role1', '-t', '123456', '--', 'python3', '-c', py], home.env)
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(res.stdout.trim().split('\n'), [
      'arn:aws:sts::222222222222:assumed-role/Reader/e2e-user',
      'arn:aws:sts::333333333333:assumed-role/Reader/e2e-user',
      'arn:aws:sts::222222222222:assumed-role/Reader/e2e-user',
    ])
    const roles = (await services().recorder.calls())
      .filter((c) => c.action === 'AssumeRole')
      .map((c) => new URLSearchParams(c.body).get('RoleArn'))
    assert.deepEqual(roles, [
      'arn:aws:iam::111111111111:role/Dev',
      'arn:aws:iam::222222222222:role/Reader',
      'arn:aws:iam::333333333333:role/Reader',
    ])
  })

  it('answers 403 {"Message"} to a request without the token or with a wrong one, and logs no secret', async () => {
    const js = `
const url = process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI
const token = process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN
const out = []
// One character changed: token.slice(0, -1) + '0' equalled the token whenever it ended in 0 (issue 15).
const near = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
for (const headers of [{}, { Authorization: 'wrong' }, { Authorization: near }, { Authorization: token }]) {
  const res = await fetch(url, { headers })
  out.push({ status: res.status, body: await res.json() })
}
console.log(JSON.stringify({ out, token }))`
    const res = await execServer(
      ['--debug', 'role1', '-t', '123456', '--', process.execPath, '--input-type=module', '-e', js],
      home.env,
    )
    assert.equal(res.code, 0, res.stderr)
    const { out, token } = JSON.parse(res.stdout)
    assert.deepEqual(
      out.map((o: { status: number }) => o.status),
      [403, 403, 403, 200],
    )
    for (const refused of out.slice(0, 3)) assert.match(refused.body.Message, /Authorization header/)
    const granted = out[3].body
    assert.match(granted.Expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    // Requests are logged under --debug, and nothing secret is.
    assert.equal((res.stderr.match(/vault: ecs server: GET \/ 403/g) ?? []).length, 3)
    assert.match(res.stderr, /vault: ecs server: GET \/ 200/)
    for (const secret of [token, granted.SecretAccessKey, granted.Token])
      assert.ok(!res.stderr.includes(secret), 'a secret was logged')
  })

  it('refresh across expiry: one boto3 process gets fresh credentials as each set expires', async () => {
    requireCommand('aws') // botocore comes with it
    await services().sts.lifetime({ AssumeRole: refreshRun.roleSeconds })
    const env = { ...home.env, ...refreshRun.env }
    const res = await execServer(['role1', '-t', '123456', '--', 'python3', '-c', boto3Loop], env)
    assert.equal(res.code, 0, res.stderr)
    assertRefreshedAcrossExpiry(res.stdout, role1Arn)
    // One MFA code for the whole run: the 8-hour MFA session outlives every role.
    assert.equal(await services().recorder.count('GetSessionToken'), 1)
    assert.ok((await services().recorder.count('AssumeRole')) >= 3)
  })

  it('refresh across expiry: the AWS SDK for JS v3 too', async () => {
    await services().sts.lifetime({ AssumeRole: refreshRun.roleSeconds })
    const env = { ...home.env, ...refreshRun.env }
    const res = await execServer(
      ['role1', '-t', '123456', '--', process.execPath, '--input-type=module', '-e', sdkLoop],
      env,
    )
    assert.equal(res.code, 0, res.stderr)
    assertRefreshedAcrossExpiry(res.stdout, role1Arn)
  })

  it('stops with the command and exits with its code, or 128+signal', async () => {
    assert.equal((await execServer(['role1', '-t', '123456', '--', 'sh', '-c', 'exit 7'], home.env)).code, 7)
    assert.equal((await execServer(['role1', '--', 'sh', '-c', 'kill -TERM $$'], home.env)).code, 143)
    // A connection to the server that outlives the command (here a detached grandchild's, mid-request)
    // does not keep vault alive: it ends with its command. Without closing every connection, the
    // server would wait for Node's 60 s headers timeout. Measured from the command's exit, so the
    // bound does not include vault's start or the STS calls (under load those took ~7 s).
    const js = `
import { spawn } from 'node:child_process'
const holder = spawn(process.execPath, ['-e', \`
  const s = require('node:net').connect(new URL(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI).port, '127.0.0.1')
  s.on('connect', () => s.write('GET / HTTP/1.1\\\\r\\\\nHost: 127.0.0.1\\\\r\\\\n', () => console.log('sent')))
  s.on('error', () => {})
  setTimeout(() => {}, 90000)\`], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] })
holder.unref()
holder.stdout.once('data', () => {
  console.log(holder.pid, Date.now())
  process.exit(0)
})`
    const res = await execServer(['role1', '--', process.execPath, '--input-type=module', '-e', js], home.env)
    const ended = Date.now()
    const [holderPid, exitedAt] = res.stdout.trim().split(' ').map(Number)
    try {
      assert.equal(res.code, 0, res.stderr)
      assert.ok(
        ended - (exitedAt as number) < 20_000,
        `vault took ${ended - (exitedAt as number)} ms to exit after its command`,
      )
    } finally {
      if (holderPid) process.kill(holderPid as number, 'SIGKILL')
    }
  })

  it('--lazy defers the first fetch; without a code source, the request gets 500 saying what to run', async () => {
    // Without --lazy, vault needs the MFA code before it starts anything, and there is no terminal.
    const eager = await execServer(['role1', '--', 'true'], home.env)
    assert.equal(eager.code, 4)
    assert.match(eager.stderr, /needs an MFA code/)
    assert.equal(await services().recorder.count('GetSessionToken'), 0)

    const idle = await execServer(['--lazy', 'role1', '--', 'true'], home.env)
    assert.equal(idle.code, 0, idle.stderr)
    assert.equal((await services().recorder.calls()).length, 0, 'no STS call without a request')

    const js = `
const res = await fetch(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, { headers: { Authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN } })
console.log(JSON.stringify({ status: res.status, body: await res.json() }))`
    const asked = await execServer(
      ['--lazy', 'role1', '--', process.execPath, '--input-type=module', '-e', js],
      home.env,
    )
    assert.equal(asked.code, 0, asked.stderr)
    const { status, body } = JSON.parse(asked.stdout)
    assert.equal(status, 500)
    assert.match(
      body.Message,
      /profile "caktus" needs an MFA code for arn:aws:iam::111111111111:mfa\/jon, and there is no terminal/,
    )
    assert.match(body.Message, /run in a terminal: vault exec role1 -t CODE -- true/)
    assert.match(asked.stderr, /vault: ecs server: GET \/ failed: .*vault exec role1 -t CODE/)
  })
})
