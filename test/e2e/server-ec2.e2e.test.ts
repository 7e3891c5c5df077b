import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { assumedRoleArn, type Home, mfaRolesConfig, quietSdk, repoRoot, run, useServices } from './harness.js'
import { assertRefreshedAcrossExpiry, refreshRun, sdkLoop } from './server-clients.js'
import { useSharedHome } from './shared-home.js'

const config = mfaRolesConfig([{ name: 'role1', account: '111111111111', region: 'eu-west-1' }])
const role1Arn = assumedRoleArn('111111111111')

const execServer = (args: string[], env: Record<string, string>, timeoutMs = 60_000) =>
  run(['exec', '--ec2-server', ...args], {
    env: { ...env, ...quietSdk },
    cwd: repoRoot,
    timeoutMs,
  })

describe('vault exec --ec2-server, end to end (issue 7)', () => {
  const services = useServices()
  // No test here changes the keys: one home, with `config` and no cached session at each start.
  // makeHome sets AWS_EC2_METADATA_DISABLED=true, as many users do: vault lifts it for the child.
  const shared = useSharedHome(services, config)
  let home: Home
  beforeEach(async () => {
    home = shared()
    await services().sts.lifetime({})
  })

  it('IMDSv2 only: boto3 with AWS_EC2_METADATA_V1_DISABLED=true gets credentials and region', async () => {
    assert.equal(home.env.AWS_EC2_METADATA_DISABLED, 'true')
    const py = `
import boto3, json, os
leaked = [k for k in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_EC2_METADATA_DISABLED') if k in os.environ]
session = boto3.Session()
print(json.dumps({'leaked': leaked, 'endpoint': os.environ['AWS_EC2_METADATA_SERVICE_ENDPOINT'],
  'method': session.get_credentials().method,
  'arn': session.client('sts').get_caller_identity()['Arn']}))`
    const env = { ...home.env, AWS_EC2_METADATA_V1_DISABLED: 'true' }
    const res = await execServer(['--debug', 'role1', '-t', '123456', '--', 'python3', '-c', py], env)
    assert.equal(res.code, 0, res.stderr)
    const out = JSON.parse(res.stdout)
    assert.deepEqual(out.leaked, [])
    assert.match(out.endpoint, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.equal(out.method, 'iam-role')
    assert.equal(out.arn, role1Arn)
    assert.match(res.stderr, /vault: ec2 server: PUT \/latest\/api\/token 200/)
    assert.match(res.stderr, /vault: ec2 server: GET \/latest\/meta-data\/iam\/security-credentials\/role1 200 IMDSv2/)
    assert.doesNotMatch(res.stderr, /IMDSv1/)
  })

  it('serves the region in the instance identity document, and refuses foreign Host headers and tokens', async () => {
    const py = `
import http.client, json, os, urllib.parse
u = urllib.parse.urlparse(os.environ['AWS_EC2_METADATA_SERVICE_ENDPOINT'])
def call(method, path, headers):
    c = http.client.HTTPConnection(u.hostname, u.port)
    c.request(method, path, headers=headers)
    r = c.getresponse()
    return r.status, r.read().decode()
_, token = call('PUT', '/latest/api/token', {'X-aws-ec2-metadata-token-ttl-seconds': '60'})
doc = '/latest/dynamic/instance-identity/document'
print(json.dumps({
  'document': call('GET', doc, {'X-aws-ec2-metadata-token': token}),
  'rebinding': call('GET', doc, {'Host': 'attacker.example', 'X-aws-ec2-metadata-token': token})[0],
  'forged': call('GET', doc, {'X-aws-ec2-metadata-token': 'forged'})[0],
  'proxied': call('PUT', '/latest/api/token', {'X-aws-ec2-metadata-token-ttl-seconds': '60', 'X-Forwarded-For': '10.1.1.1'})[0],
}))`
    const res = await execServer(['role1', '-t', '123456', '--', 'python3', '-c', py], home.env)
    assert.equal(res.code, 0, res.stderr)
    const out = JSON.parse(res.stdout)
    assert.equal(out.document[0], 200)
    assert.deepEqual(JSON.parse(out.document[1]), { region: 'eu-west-1' })
    assert.deepEqual([out.rebinding, out.forged, out.proxied], [403, 401, 403])
  })

  it('refresh across expiry: one AWS SDK for JS v3 process gets fresh credentials as each set expires', async () => {
    await services().sts.lifetime({ AssumeRole: refreshRun.roleSeconds })
    const env = { ...home.env, ...refreshRun.env }
    const res = await execServer(
      ['role1', '-t', '123456', '--', process.execPath, '--input-type=module', '-e', sdkLoop],
      env,
    )
    assert.equal(res.code, 0, res.stderr)
    assertRefreshedAcrossExpiry(res.stdout, role1Arn)
    assert.equal(await services().recorder.count('GetSessionToken'), 1)
    assert.ok((await services().recorder.count('AssumeRole')) >= 3)
  })

  it('stops with the command and exits with its code, or 128+signal', async () => {
    assert.equal((await execServer(['role1', '-t', '123456', '--', 'sh', '-c', 'exit 5'], home.env)).code, 5)
    assert.equal((await execServer(['role1', '--', 'sh', '-c', 'kill -INT $$'], home.env)).code, 130)
  })
})
