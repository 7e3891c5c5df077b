import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { MfaError } from '../../src/errors.js'
import { type CredentialServer, newAuthorizationToken, startEcsServer } from '../../src/server/ecs-server.js'
import type { ServedCredentials } from '../../src/server/served-credentials.js'
import { memoryLogger } from '../fakes/fakes.js'
import { send, servedChain } from './helpers.js'

const role2 = 'arn:aws:iam::222222222222:role/Reader'
const role3 = 'arn:aws:iam::333333333333:role/Reader'

describe('ECS credential server (issue 7)', () => {
  let server: CredentialServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  async function start(credentials: ServedCredentials, warnings: string[] = []) {
    const log = memoryLogger()
    server = await startEcsServer(credentials, { name: 'ecs server', log, warn: (m) => warnings.push(m) })
    const vars = Object.fromEntries(server.variables)
    const auth = { Authorization: vars.AWS_CONTAINER_AUTHORIZATION_TOKEN as string }
    const get = (path = '', headers: Record<string, string> = auth) => send(server!.url, { path, headers })
    return { vars, auth, get, log, url: server.url }
  }

  it('gives the child the full URI and a token of at least 30 random bytes, and no keys', async () => {
    const s = await start(servedChain().credentials)
    assert.deepEqual(Object.keys(s.vars), ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN'])
    assert.match(s.vars.AWS_CONTAINER_CREDENTIALS_FULL_URI as string, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.ok(Buffer.from(s.vars.AWS_CONTAINER_AUTHORIZATION_TOKEN as string, 'base64url').length >= 30)
    assert.notEqual(newAuthorizationToken(), newAuthorizationToken())
  })

  it('answers 200 with the ECS document', async () => {
    const t = servedChain()
    const s = await start(t.credentials)
    const res = await s.get()
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'application/json')
    const doc = JSON.parse(res.body)
    assert.deepEqual(Object.keys(doc), ['AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration'])
    assert.equal(doc.AccessKeyId, 'ASIATEMP000000000002') // 1 is caktus's MFA session, 2 the role
    assert.equal(doc.Expiration, '2026-11-21T10:00:00Z')
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole'])
  })

  it('refuses a request without the token, or with a wrong one, with 403 {"Message"}', async () => {
    const t = servedChain()
    const s = await start(t.credentials)
    const wrongSameLength = `${s.auth.Authorization.slice(0, -1)}${s.auth.Authorization.endsWith('A') ? 'B' : 'A'}`
    const wrong: Array<Record<string, string>> = [
      {},
      { Authorization: 'nope' },
      { Authorization: wrongSameLength },
      { Authorization: `Bearer ${s.auth.Authorization}` },
    ]
    for (const headers of wrong) {
      for (const path of ['', `role-arn/${role2}`, 'no-such-path']) {
        const res = await s.get(path, headers)
        assert.equal(res.status, 403, `${JSON.stringify(headers)} ${path}`)
        assert.match(JSON.parse(res.body).Message, /Authorization header/)
      }
    }
    assert.deepEqual(t.sts.ops(), [], 'a refused request fetches nothing')
  })

  // Issue 25: the token check comes before the method check, so a caller without the token learns
  // nothing about the server, not even which method it takes (no 405, no Allow header).
  it('a wrong method without the token, or with a wrong one, is refused 403, not 405', async () => {
    const t = servedChain()
    const s = await start(t.credentials)
    for (const method of ['POST', 'PUT', 'DELETE']) {
      for (const headers of [{}, { Authorization: 'nope' }] as Array<Record<string, string>>) {
        const res = await send(s.url, { method, headers })
        assert.equal(res.status, 403, `${method} ${JSON.stringify(headers)}`)
        assert.equal(res.headers.allow, undefined, 'no Allow header for a stranger')
        assert.doesNotMatch(res.body, /GET/)
      }
    }
    assert.deepEqual(t.sts.ops(), [])
  })

  it('assumes /role-arn/ARN from the profile credentials, cached per ARN', async () => {
    const t = servedChain()
    const s = await start(t.credentials)
    const a = JSON.parse((await s.get(`role-arn/${role2}`)).body)
    const b = JSON.parse((await s.get(`role-arn/${encodeURIComponent(role3)}`)).body)
    const again = JSON.parse((await s.get(`role-arn/${role2}`)).body)
    assert.notEqual(a.AccessKeyId, b.AccessKeyId)
    assert.equal(again.AccessKeyId, a.AccessKeyId)
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole', 'AssumeRole', 'AssumeRole'])
    const [, profileRole, assumed2, assumed3] = t.sts.calls
    assert.equal(assumed2?.input.roleArn, role2)
    assert.equal(assumed3?.input.roleArn, role3)
    // Signed with the profile's (saguaro's) role credentials, and capped at 1 h: role chaining.
    assert.equal(assumed2?.signedWith, 'ASIATEMP000000000002')
    assert.equal(assumed2?.input.durationSeconds, 3600)
    assert.equal(profileRole?.input.roleArn, 'arn:aws:iam::222222222222:role/Dev')
  })

  it('answers 400 for a malformed role ARN, 404 for other paths and 405 for other methods', async () => {
    const t = servedChain()
    const s = await start(t.credentials)
    assert.equal((await s.get('role-arn/not-an-arn')).status, 400)
    assert.equal((await s.get('role-arn/arn:aws:iam::12:role/x')).status, 400)
    assert.equal((await s.get('role-arn/%E0%A4%A')).status, 400)
    assert.equal((await s.get('latest/meta-data/')).status, 404)
    assert.equal((await send(s.url, { method: 'POST', headers: s.auth })).status, 405)
    assert.deepEqual(t.sts.ops(), [])
  })

  it('refreshes across an expiry boundary (injected clock), with one STS call for many requests', async () => {
    const t = servedChain()
    const s = await start(t.credentials)
    const first = JSON.parse((await s.get()).body)
    t.clock.advance(3600 - 301) // still outside the 5-minute window
    assert.equal(JSON.parse((await s.get()).body).AccessKeyId, first.AccessKeyId)
    t.clock.advance(3600) // past the first credentials' expiry
    const burst = await Promise.all(Array.from({ length: 50 }, () => s.get()))
    const keys = new Set(burst.map((r) => JSON.parse(r.body).AccessKeyId))
    assert.equal(keys.size, 1)
    assert.notEqual([...keys][0], first.AccessKeyId)
    assert.ok(new Date(JSON.parse(burst[0]!.body).Expiration) > t.clock.now())
    // The MFA session (8 h) is still good: one new AssumeRole and no new prompt.
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole', 'AssumeRole'])
    assert.equal(t.prompts(), 1)
  })

  it('asks for a new MFA code when the MFA session expires, instead of failing', async () => {
    const t = servedChain()
    const s = await start(t.credentials)
    await s.get()
    t.clock.advance(8 * 3600)
    const res = await s.get()
    assert.equal(res.status, 200)
    assert.equal(t.prompts(), 2)
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole', 'GetSessionToken', 'AssumeRole'])
  })

  it('answers 500 {"Message"} when no MFA code can be had, tells the user, and recovers', async () => {
    let available = false
    const t = servedChain({
      mfa: async ({ profile }) => {
        if (available) return '123456'
        throw new MfaError(`profile "${profile}" needs an MFA code`, 'run: vault exec saguaro -t CODE -- true')
      },
    })
    const warnings: string[] = []
    const s = await start(t.credentials, warnings)
    const res = await s.get()
    assert.equal(res.status, 500)
    assert.deepEqual(JSON.parse(res.body), {
      Message: 'profile "caktus" needs an MFA code; run: vault exec saguaro -t CODE -- true',
    })
    assert.deepEqual(warnings, [`ecs server: GET / failed: ${JSON.parse(res.body).Message}`])
    available = true
    assert.equal((await s.get()).status, 200)
  })

  it('logs requests under --debug without secrets', async () => {
    const t = servedChain()
    const s = await start(t.credentials)
    const body = (await s.get()).body
    await s.get('', {})
    const doc = JSON.parse(body)
    const text = s.log.lines.join('\n')
    assert.match(text, /ecs server: GET \/ 200 \(\d+\.\d ms\)/)
    assert.match(text, /ecs server: GET \/ 403 \(\d+\.\d ms\)/)
    for (const secret of [s.auth.Authorization, doc.SecretAccessKey, doc.Token, doc.AccessKeyId]) {
      assert.ok(!text.includes(secret), 'a secret reached the log')
    }
  })
})
