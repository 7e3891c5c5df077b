/**
 * issue 28, through bin/run.js with the shipped deadlines: hostile endpoints and files end in one
 * clear line within the documented bound. A dripped STS or IAM Identity Center body is cut off
 * (and the profile's lock is free for the next caller); a hostile SSO stand-in (slow_down
 * forever, role credentials that expired in 1970) cannot keep vault going or get bad credentials
 * out; a FIFO in the AWS CLI's SSO cache does not hang `vault export`.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it, type TestContext } from 'node:test'
import { ssoConfig, ssoEndpoints } from '../fakes/sso.js'
import { SsoStandIn } from '../sso/stand-in.js'
import { freshHome, makeHome, mfaRolesConfig, quietSdk, useServices, vault } from './harness.js'

/** An HTTP server that answers every request with headers, then one byte a second, forever. */
async function dripServer() {
  const sockets = new Set<Socket>()
  const drips = new Set<NodeJS.Timeout>()
  let requests = 0
  const server: Server = createServer((_req, res) => {
    requests += 1
    res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': '100000' })
    res.write('<')
    const drip = setInterval(() => res.write(' '), 1000)
    drips.add(drip)
    res.on('close', () => {
      clearInterval(drip)
      drips.delete(drip)
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: async () => {
      for (const d of drips) clearInterval(d)
      for (const s of sockets) s.destroy()
      await new Promise((r) => server.close(r))
    },
  }
}

const until = async (what: string, check: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`e2e: ${what} did not happen within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('hostile endpoints and files end in one line (issue 28)', () => {
  const services = useServices()
  let drip: Awaited<ReturnType<typeof dripServer>>
  before(async () => {
    drip = await dripServer()
  })
  after(async () => {
    await drip.close()
  })

  it('a dripped STS body: exit 5 within the bound, and the next caller gets the lock and credentials', async (t) => {
    const home = await freshHome(services(), mfaRolesConfig([{ name: 'role1', account: '111111111111' }]))
    t.after(() => home.cleanup())
    const before = drip.requests()
    const started = Date.now()
    const first = vault(['export', 'role1', '-t', '123456'], {
      env: { ...home.env, AWS_ENDPOINT_URL_STS: drip.url },
      timeoutMs: 120_000,
    }).then((r) => ({ ...r, endedAt: Date.now() }))
    // The first holds the profile's lock, dripping; the second queues behind it on the real STS.
    await until('the first request', () => drip.requests() > before)
    const second = vault(['export', 'role1', '-t', '123456'], { env: home.env, timeoutMs: 120_000 }).then((r) => ({
      ...r,
      endedAt: Date.now(),
    }))
    const [a, b] = await Promise.all([first, second])
    assert.equal(a.code, 5, a.stderr)
    assert.equal(
      a.stderr,
      `vault: GetSessionToken: STS at ${drip.url} did not answer in time (10 s, 3 attempts); check that ${drip.url} is the right endpoint and reachable (network, firewall, HTTPS_PROXY; endpoint_url, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, sts_regional_endpoints)\n`,
    )
    assert.equal(a.stdout, '')
    assert.ok(a.endedAt - started < 60_000, `the dripped call took ${a.endedAt - started} ms`)
    assert.equal(drip.requests() - before, 3, 'three attempts, each cut off')
    // The lock was released when the first gave up: the second did not wait for the 180 s lock limit.
    assert.equal(b.code, 0, b.stderr)
    assert.match(b.stdout, /AWS_ACCESS_KEY_ID=ASIA/)
    assert.ok(b.endedAt - started < 110_000, `the queued caller took ${b.endedAt - started} ms`)
  })

  describe('IAM Identity Center', () => {
    let n = 0
    async function world(t: TestContext, extraEnv: Record<string, string> = {}) {
      const standIn = new SsoStandIn()
      standIn.autoApprove = true
      await standIn.start()
      const startUrl = `https://hostile-${process.pid}-${++n}.awsapps.com/start`
      const home = await makeHome(services(), {
        ...quietSdk,
        ...ssoEndpoints(standIn.url),
        ...extraEnv,
      })
      t.after(async () => {
        await standIn.stop()
        await home.cleanup()
      })
      await home.writeConfig(ssoConfig(startUrl))
      assert.equal((await vault(['clear'], { env: home.env })).code, 0)
      const exportDev = () =>
        vault(['export', '--no-browser', '--format', 'json', 'dev'], { env: home.env, timeoutMs: 120_000 })
      return { standIn, home, startUrl, exportDev }
    }

    /** stderr without the sign-in notice (the URL and code), which goes there with no terminal. */
    const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('vault: '))

    it('a dripped GetRoleCredentials body: exit 5 with one line within the bound', async (t) => {
      const { standIn, exportDev } = await world(t)
      standIn.drip.add('GetRoleCredentials')
      const started = Date.now()
      const r = await exportDev()
      const took = Date.now() - started
      assert.equal(r.code, 5, r.stderr)
      assert.deepEqual(errorLines(r.stderr), [
        `vault: GetRoleCredentials: IAM Identity Center at ${standIn.url} did not answer in time (10 s, 3 attempts); check that ${standIn.url} is the right endpoint and reachable (network, firewall, HTTPS_PROXY; AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC, AWS_ENDPOINT_URL)`,
      ])
      assert.equal(r.stdout, '')
      assert.ok(took < 60_000, `took ${took} ms`)
      assert.equal(standIn.count('GetRoleCredentials'), 3)
    })

    it('role credentials that expired in 1970 are refused, not exported', async (t) => {
      const { standIn, exportDev } = await world(t)
      standIn.roleExpiration = 0
      const r = await exportDev()
      assert.equal(r.code, 5, r.stderr)
      assert.deepEqual(errorLines(r.stderr), [
        'vault: profile "dev": SSO GetRoleCredentials for Admin in 111111111111 returned credentials that expired at 1970-01-01T00:00:00.000Z; check the clock, and the endpoint or command that made them',
      ])
      assert.equal(r.stdout, '')
    })

    it('slow_down forever ends when the device code expires, with one line', async (t) => {
      const { standIn, exportDev } = await world(t)
      standIn.autoApprove = false
      standIn.slowDownForever = true
      standIn.deviceTtl = 8
      const started = Date.now()
      const r = await exportDev()
      assert.equal(r.code, 5, r.stderr)
      assert.equal(errorLines(r.stderr).length, 1, r.stderr)
      assert.match(
        errorLines(r.stderr)[0] ?? '',
        /^vault: the SSO login code [A-Z0-9-]+ expired before it was approved;/,
      )
      assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`)
    })

    it("a FIFO in the AWS CLI's SSO cache does not hang export", async (t) => {
      const { home, exportDev } = await world(t)
      const cache = join(home.dir, '.aws', 'sso', 'cache')
      await mkdir(cache, { recursive: true })
      const fifo = join(cache, `${createHash('sha1').update('corp').digest('hex')}.json`)
      assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
      const r = await exportDev()
      assert.equal(r.code, 0, r.stderr)
      assert.match(JSON.parse(r.stdout).AccessKeyId, /^ASIA/)
    })
  })
})
