import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import type { CredentialServer } from '../../src/server/ecs-server.js'
import { refusal } from '../../src/server/http.js'
import { instanceRoleName, startImdsServer } from '../../src/server/imds-server.js'
import { memoryLogger } from '../fakes/fakes.js'
import { send, servedChain } from './helpers.js'

const ttlHeader = 'X-aws-ec2-metadata-token-ttl-seconds'
const credsPath = 'latest/meta-data/iam/security-credentials/'

describe('EC2 instance metadata server (issue 7)', () => {
  let server: CredentialServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  async function start() {
    const t = servedChain()
    const log = memoryLogger()
    server = await startImdsServer({
      name: 'ec2 server',
      log,
      warn: () => {},
      credentials: t.credentials,
      clock: t.clock,
      region: 'eu-west-1',
      roleName: 'saguaro',
    })
    const url = server.url
    const token = async (ttl = '21600') =>
      (await send(url, { method: 'PUT', path: 'latest/api/token', headers: { [ttlHeader]: ttl } })).body
    const get = (path: string, headers: Record<string, string> = {}) => send(url, { path, headers })
    return { ...t, url, log, token, get, variables: Object.fromEntries(server.variables), unset: server.unset }
  }

  it('points the child at itself, and lifts AWS_EC2_METADATA_DISABLED', async () => {
    const s = await start()
    assert.deepEqual(Object.keys(s.variables), ['AWS_EC2_METADATA_SERVICE_ENDPOINT'])
    assert.match(s.variables.AWS_EC2_METADATA_SERVICE_ENDPOINT as string, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.deepEqual(s.unset, ['AWS_EC2_METADATA_DISABLED'])
  })

  it('IMDSv2: PUT a token, then list the role and get its credentials with it', async () => {
    const s = await start()
    const put = await send(s.url, { method: 'PUT', path: 'latest/api/token', headers: { [ttlHeader]: '60' } })
    assert.equal(put.status, 200)
    assert.equal(put.headers['x-aws-ec2-metadata-token-ttl-seconds'], '60')
    const headers = { 'X-aws-ec2-metadata-token': put.body }
    assert.equal((await s.get(credsPath, headers)).body, 'saguaro')
    const res = await s.get(`${credsPath}saguaro`, headers)
    assert.equal(res.status, 200)
    const doc = JSON.parse(res.body)
    assert.deepEqual(Object.keys(doc), [
      'Code',
      'LastUpdated',
      'Type',
      'AccessKeyId',
      'SecretAccessKey',
      'Token',
      'Expiration',
    ])
    assert.equal(doc.Code, 'Success')
    assert.equal(doc.Type, 'AWS-HMAC')
    assert.equal(doc.AccessKeyId, 'ASIATEMP000000000002')
    assert.equal(doc.Expiration, '2026-11-21T10:00:00Z')
    assert.match(s.log.lines.join('\n'), /GET \/latest\/meta-data\/iam\/security-credentials\/saguaro 200 IMDSv2/)
  })

  it('IMDSv1: GETs without a token work too', async () => {
    const s = await start()
    assert.equal((await s.get(credsPath)).body, 'saguaro')
    assert.equal(JSON.parse((await s.get(`${credsPath}saguaro`)).body).Code, 'Success')
    assert.match(s.log.lines.join('\n'), /200 IMDSv1/)
  })

  it('serves the region: instance identity document and placement/region', async () => {
    const s = await start()
    assert.deepEqual(JSON.parse((await s.get('latest/dynamic/instance-identity/document')).body), {
      region: 'eu-west-1',
    })
    assert.equal((await s.get('latest/meta-data/placement/region')).body, 'eu-west-1')
    assert.equal((await s.get('latest/meta-data/')).body, 'iam/\nplacement/')
    assert.equal((await s.get('latest/meta-data/iam/security-credentials/other')).status, 404)
  })

  it('refuses bad token requests as EC2 does: 400 for a bad TTL, 403 through a proxy, 401 for a bad token', async () => {
    const s = await start()
    for (const ttl of ['0', '21601', 'abc', '1.5'])
      assert.equal(
        (await send(s.url, { method: 'PUT', path: 'latest/api/token', headers: { [ttlHeader]: ttl } })).status,
        400,
        ttl,
      )
    assert.equal((await send(s.url, { method: 'PUT', path: 'latest/api/token' })).status, 400)
    const proxied = await send(s.url, {
      method: 'PUT',
      path: 'latest/api/token',
      headers: { [ttlHeader]: '60', 'X-Forwarded-For': '10.0.0.1' },
    })
    assert.equal(proxied.status, 403)
    assert.equal((await s.get(credsPath, { 'X-aws-ec2-metadata-token': 'forged' })).status, 401)
    assert.equal((await send(s.url, { method: 'GET', path: 'latest/api/token' })).status, 405)
    assert.deepEqual(s.sts.ops(), [])
  })

  it('rejects a token after its TTL', async () => {
    const s = await start()
    const token = await s.token('60')
    assert.equal((await s.get(credsPath, { 'X-aws-ec2-metadata-token': token })).status, 200)
    s.clock.advance(61)
    assert.equal((await s.get(credsPath, { 'X-aws-ec2-metadata-token': token })).status, 401)
  })

  it('refreshes across an expiry boundary (injected clock)', async () => {
    const s = await start()
    const headers = { 'X-aws-ec2-metadata-token': await s.token() }
    const first = JSON.parse((await s.get(`${credsPath}saguaro`, headers)).body)
    s.clock.advance(3600)
    const second = JSON.parse((await s.get(`${credsPath}saguaro`, headers)).body)
    assert.notEqual(second.AccessKeyId, first.AccessKeyId)
    assert.ok(new Date(second.Expiration) > s.clock.now())
    assert.deepEqual(s.sts.ops(), ['GetSessionToken', 'AssumeRole', 'AssumeRole'])
  })

  it('refuses a Host header other than its own address (DNS rebinding)', async () => {
    const s = await start()
    const port = new URL(s.url).port
    for (const host of ['evil.example', `evil.example:${port}`, '169.254.169.254', `127.0.0.1:${Number(port) + 1}`]) {
      const res = await s.get(credsPath, { Host: host })
      assert.equal(res.status, 403, host)
      assert.match(res.body, /unexpected Host header/)
    }
    assert.equal((await s.get(credsPath, { Host: `localhost:${port}` })).status, 200)
    assert.deepEqual(s.sts.ops(), [])
  })
})

describe('loopback-only guard (issue 7)', () => {
  const table: Array<[string | undefined, string, boolean]> = [
    ['127.0.0.1', '127.0.0.1:8080', true],
    ['127.0.0.2', 'localhost:8080', true],
    ['::ffff:127.0.0.1', '127.0.0.1:8080', true],
    ['::1', '127.0.0.1:8080', true],
    ['10.0.0.5', '127.0.0.1:8080', false],
    ['::ffff:192.168.1.4', '127.0.0.1:8080', false],
    ['fe80::1', '127.0.0.1:8080', false],
    [undefined, '127.0.0.1:8080', false],
    ['127.0.0.1', 'attacker.example:8080', false],
    ['127.0.0.1', '127.0.0.1', false],
  ]
  for (const [remoteAddress, host, allowed] of table) {
    it(`${remoteAddress} with Host ${host}: ${allowed ? 'served' : 'refused'}`, () => {
      assert.equal(refusal({ remoteAddress, headers: { host } }, 8080) === undefined, allowed)
    })
  }

  it('names an instance role after the profile when IAM would accept the name', () => {
    assert.equal(instanceRoleName('saguaro'), 'saguaro')
    assert.equal(instanceRoleName('team/prod'), 'vault')
    assert.equal(instanceRoleName('x'.repeat(65)), 'vault')
  })
})
