/**
 * issue 24: `vault agent serve` endpoints owned by the agent. On loopback, only the owner gets
 * credentials, and only with the token. With --bind on the host side of a veth pair, boto3 and the
 * JS SDK inside a network namespace (as a container would be) fetch credentials, across a refresh,
 * and are refused without the token.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { agentEnv, startAgent, stopAgent } from './agent-helpers.js'
import { freshHome, type Home, mfaRolesConfig, repoRoot, requireCommand, useServices, vault } from './harness.js'
import { botoPatient } from './server-clients.js'

const config = mfaRolesConfig([{ name: 'r1', account: '111111111111', region: 'us-east-1' }])

/** The endpoint's variables from serve's stdout. */
function parseLines(stdout: string): { uri: string; token: string } {
  const vars = Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  )
  return { uri: vars.AWS_CONTAINER_CREDENTIALS_FULL_URI, token: vars.AWS_CONTAINER_AUTHORIZATION_TOKEN }
}

const sh = (cmd: string, args: string[], env?: Record<string, string>) =>
  spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, env: env ?? process.env })

const boto = `${botoPatient}
import boto3, sys
c = boto3.Session().get_credentials()
print(c.get_frozen_credentials().access_key if c else 'NONE')
`
// The JS SDK gives the endpoint 1 s per attempt: 30 s, for the reason of botoPatient.
const jsSdk = `
const { fromHttp } = require(${JSON.stringify(`${repoRoot}/node_modules/@aws-sdk/credential-provider-http`)})
fromHttp({ timeout: 30000 })().then((c) => console.log(c.accessKeyId), (e) => console.log('REFUSED ' + e.message.split('\\n')[0]))
`

describe('vault agent serve (issue 24)', () => {
  const services = useServices()
  let home: Home
  let env: Record<string, string>
  let pid: number | undefined
  beforeEach(async () => {
    home = await freshHome(services(), config)
    // Role credentials (1 h) are inside this window a second after they are issued: requests
    // a second apart each get a refresh.
    env = agentEnv(home, { AWS_MIN_TTL: '3599s' })
    pid = await startAgent(env)
  })
  afterEach(async () => {
    await stopAgent(env, pid)
    await home?.cleanup()
  })

  it('on loopback: the owner with the token gets credentials; no token, or another user, is refused; --stop ends it', async () => {
    const served = await vault(['agent', 'serve', 'r1', '-t', '123456'], { env, timeoutMs: 60_000 })
    assert.equal(served.code, 0, served.stderr)
    const { uri, token } = parseLines(served.stdout)
    assert.match(uri, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.ok(token.length >= 40)
    const curl = (extra: string[], user?: string) => {
      const args = ['-s', '--max-time', '10', '-w', '\n%{http_code}', ...extra, uri]
      const r = user ? sh('runuser', ['-u', user, '--', 'curl', ...args]) : sh('curl', args)
      return r.stdout.trim().split('\n').at(-1)
    }
    assert.equal(curl(['-H', `Authorization: ${token}`]), '200')
    assert.equal(curl([]), '403')
    requireCommand('runuser')
    assert.equal(curl(['-H', `Authorization: ${token}`], 'nobody'), '403')
    const viaBoto = sh('python3', ['-c', boto], {
      ...env,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: uri,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
    })
    assert.match(viaBoto.stdout, /^ASIA/, viaBoto.stderr)
    const status = await vault(['agent', 'status'], { env })
    assert.match(status.stdout, new RegExp(`r1\\tendpoint\\t${uri}`))
    const stopped = await vault(['agent', 'serve', '--stop', 'r1'], { env })
    assert.equal(stopped.code, 0, stopped.stderr)
    assert.equal(curl(['-H', `Authorization: ${token}`]), '000')
  })

  it('--bind on a veth to a network namespace: boto3 and the JS SDK there fetch credentials across refreshes, and not without the token', async () => {
    requireCommand('ip')
    const ns = `vault-e2e-${process.pid}`
    const [host, peer] = [`vh${process.pid % 100000}`, `vp${process.pid % 100000}`]
    // The SDKs take plain http only from loopback and the ECS/EKS container addresses: the host
    // side is 169.254.170.2, the address a container reaches its credentials on.
    const setup = [
      ['netns', 'add', ns],
      ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer],
      ['link', 'set', peer, 'netns', ns],
      ['addr', 'add', '169.254.170.2/30', 'dev', host],
      ['link', 'set', host, 'up'],
      ['-n', ns, 'addr', 'add', '169.254.170.1/30', 'dev', peer],
      ['-n', ns, 'link', 'set', peer, 'up'],
      ['-n', ns, 'link', 'set', 'lo', 'up'],
    ]
    try {
      for (const args of setup) {
        const r = sh('ip', args)
        assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`)
      }
      const served = await vault(['agent', 'serve', 'r1', '-t', '123456', '--bind', '169.254.170.2'], {
        env,
        timeoutMs: 60_000,
      })
      assert.equal(served.code, 0, served.stderr)
      assert.match(served.stderr, /WARNING: serving profile r1 on 169\.254\.170\.2/)
      const { uri, token } = parseLines(served.stdout)
      assert.match(uri, /^http:\/\/169\.254\.170\.2:\d+\/$/)
      const inside = (code: string[], withToken: boolean) =>
        sh('ip', ['netns', 'exec', ns, ...code], {
          PATH: process.env.PATH ?? '',
          HOME: home.dir,
          AWS_CONTAINER_CREDENTIALS_FULL_URI: uri,
          ...(withToken ? { AWS_CONTAINER_AUTHORIZATION_TOKEN: token } : {}),
          AWS_EC2_METADATA_DISABLED: 'true',
        })
      const keys = new Set<string>()
      for (let i = 0; i < 2; i++) {
        const b = inside(['python3', '-c', boto], true)
        assert.match(b.stdout, /^ASIA/, b.stderr)
        const j = inside([process.execPath, '-e', jsSdk], true)
        assert.match(j.stdout, /^ASIA/, j.stderr)
        keys.add(b.stdout.trim())
        keys.add(j.stdout.trim())
      }
      assert.ok(keys.size >= 2, 'the endpoint refreshed between requests')
      const noToken = inside(['python3', '-c', boto], false)
      assert.doesNotMatch(noToken.stdout, /^ASIA/)
      const noTokenJs = inside([process.execPath, '-e', jsSdk], false)
      assert.doesNotMatch(noTokenJs.stdout, /^ASIA/)
    } finally {
      sh('ip', ['link', 'del', host])
      sh('ip', ['netns', 'del', ns])
    }
  })
})
