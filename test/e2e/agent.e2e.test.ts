/**
 * issue 24: `vault agent` over the real Secret Service and the strict STS. The agent serves the
 * same bytes as the direct path, holds one MFA session for many clients, survives garbage, and a
 * kill -9 leaves every client to the direct path.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { agentEnv, agentPid, directEnv, paths, startAgent, stopAgent } from './agent-helpers.js'
import { type Home, isAlive, mfaRolesConfig, useServices, vault } from './harness.js'
import { useSharedHome } from './shared-home.js'

const roles = [1, 2, 3, 4].map((n) => ({ name: `r${n}`, account: String(n).repeat(12) }))

/** One line to the socket, and the agent's answer lines until it closes. */
function rawRequest(socket: string, payload: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = createConnection(socket)
    let text = ''
    const timer = setTimeout(() => {
      s.destroy()
      reject(new Error('no answer within 20 s'))
    }, 20_000)
    s.on('connect', () => s.write(payload))
    s.on('data', (d) => (text += d))
    s.on('error', () => {})
    s.on('close', () => {
      clearTimeout(timer)
      resolve(text.split('\n').filter(Boolean))
    })
  })
}

describe('vault agent (issue 24)', () => {
  const services = useServices()
  // Each test gets its own agent, socket, logs and files, in a folder of the shared home.
  const shared = useSharedHome(services, '')
  let home: Home
  /** This test's own folder in the shared home. */
  let dir: string
  let env: Record<string, string>
  let pid: number | undefined
  let mfaLog: string
  beforeEach(async () => {
    home = shared()
    dir = await mkdtemp(join(home.dir, 'test-'))
    mfaLog = join(dir, 'mfa.log')
    // An mfa_process that records each run, slow enough for every client to miss the cache.
    const mfa = join(dir, 'mfa.sh')
    await writeFile(mfa, `#!/bin/sh\necho run >> ${mfaLog}\nsleep 0.3\necho 123456\n`, { mode: 0o700 })
    const config = mfaRolesConfig(roles, { defaultRegion: 'us-east-1' }).replace(
      /mfa_serial = (.*)\n/g,
      `mfa_serial = $1\nmfa_process = ${mfa}\n`,
    )
    await home.writeConfig(config)
    env = agentEnv(home, {
      AWS_VAULT_AGENT_SOCK: join(dir, 'agent', 'agent.sock'),
      VAULT_PATH_LOG: join(dir, 'path.log'),
    })
    pid = undefined
  })
  afterEach(async () => {
    await stopAgent(env, pid)
    await rm(dir, { recursive: true, force: true })
  })

  const mfaRuns = async () => (await readFile(mfaLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).length

  it('export and exec through the agent print the same bytes as the direct path, and the path log tells them apart', async () => {
    pid = await startAgent(env)
    // `agent start` ran the full CLI too.
    const mark = (await paths(env)).length
    const cold = await vault(['export', '--format', 'json', 'r1'], { env, timeoutMs: 60_000 })
    assert.equal(cold.code, 0, cold.stderr)
    assert.deepEqual(
      (await paths(env)).slice(mark),
      ['full', 'agent'],
      'a cold export asks the agent through the full CLI',
    )
    for (const format of ['json', 'env', 'export-env', 'ini']) {
      const viaAgent = await vault(['export', '--format', format, 'r1'], { env, timeoutMs: 60_000 })
      const direct = await vault(['export', '--format', format, 'r1'], { env: directEnv(env), timeoutMs: 60_000 })
      assert.equal(viaAgent.code, 0, viaAgent.stderr)
      assert.equal(viaAgent.stdout, direct.stdout, `--format ${format}`)
      assert.equal(viaAgent.stderr, direct.stderr, `--format ${format}`)
    }
    const log = await paths(env)
    assert.deepEqual(log.slice(mark + 2), ['agent', 'fast', 'agent', 'fast', 'agent', 'fast', 'agent', 'fast'])
    const script = 'echo "$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN $AWS_REGION"'
    const execAgent = await vault(['exec', 'r1', '--', 'sh', '-c', script], { env, timeoutMs: 60_000 })
    const execDirect = await vault(['exec', 'r1', '--', 'sh', '-c', script], { env: directEnv(env), timeoutMs: 60_000 })
    assert.equal(execAgent.code, 0, execAgent.stderr)
    assert.equal(execAgent.stdout, execDirect.stdout)
    assert.deepEqual((await paths(env)).slice(-3), ['full', 'agent', 'fast'])
    assert.equal(await mfaRuns(), 1)
    assert.equal(await services().recorder.count('GetSessionToken'), 1)
    assert.equal(await services().recorder.count('AssumeRole'), 1)
  })

  it('64 concurrent cold exports for 4 roles: 1 MFA prompt, 1 GetSessionToken, 4 AssumeRole', async () => {
    pid = await startAgent(env)
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        vault(['export', '--format', 'json', `r${(i % 4) + 1}`], { env, timeoutMs: 180_000 }),
      ),
    )
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr)
      assert.equal(JSON.parse(r.stdout).Version, 1)
    }
    assert.equal(await mfaRuns(), 1)
    assert.equal(await services().recorder.count('GetSessionToken'), 1)
    assert.equal(await services().recorder.count('AssumeRole'), 4)
    // A client that hears nothing from the agent within its deadline takes the direct path, which
    // a loaded machine may cause now and then (it did once at load 25 on 2 cores): the counts above
    // hold either way. Most must come from the agent.
    const served = (await paths(env)).filter((p) => p === 'agent').length
    assert.ok(served >= 56, `the agent served ${served} of 64`)
  })

  it('kill -9 of the agent during 16 concurrent exports: all 16 succeed on the direct path', async () => {
    pid = await startAgent(env)
    const runs = Array.from({ length: 16 }, (_, i) =>
      vault(['export', '--format', 'json', `r${(i % 4) + 1}`], { env, timeoutMs: 90_000 }),
    )
    // Once the first client is in mfa_process, the agent is mid-request for all of them.
    const deadline = Date.now() + 60_000
    while ((await mfaRuns()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    process.kill(pid, 'SIGKILL')
    const results = await Promise.all(runs)
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr)
      assert.ok(JSON.parse(r.stdout).SessionToken)
    }
    assert.equal(isAlive(pid), false)
    pid = undefined
  })

  it('garbage and oversized requests get an error answer, and the agent keeps serving', async () => {
    pid = await startAgent(env)
    const socket = env.AWS_VAULT_AGENT_SOCK
    const garbage = await rawRequest(socket, 'this is not json\n')
    assert.match(garbage.at(-1) ?? '', /"error":"request is not JSON"/)
    const oversized = await rawRequest(socket, `{"op":"status","pad":"${'x'.repeat(100 * 1024)}"}\n`)
    assert.match(oversized.at(-1) ?? '', /"error":"request longer than 65536 bytes"/)
    const unknown = await rawRequest(socket, '{"op":"give-me-everything"}\n')
    assert.match(unknown.at(-1) ?? '', /"error":"unknown request/)
    assert.equal(await agentPid(env), pid)
    const r = await vault(['export', '--format', 'json', 'r1'], { env, timeoutMs: 60_000 })
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual((await paths(env)).slice(-1), ['agent'])
  })

  it('a second start finds the agent; a stale socket left by kill -9 is replaced', async () => {
    pid = await startAgent(env)
    const again = await vault(['agent', 'start'], { env, timeoutMs: 60_000 })
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr, /agent already running/)
    assert.equal(again.stdout, `export AWS_VAULT_AGENT_SOCK='${env.AWS_VAULT_AGENT_SOCK}'\n`)
    process.kill(pid, 'SIGKILL')
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 20))
    // The socket file is left behind: clients fall back at once (connection refused).
    const r = await vault(['export', '--format', 'json', 'r1'], { env, timeoutMs: 60_000 })
    assert.equal(r.code, 0, r.stderr)
    pid = await startAgent(env)
    assert.ok(isAlive(pid))
  })

  it('status lists what is held, never a secret; lock forgets it all', async () => {
    pid = await startAgent(env)
    const r = await vault(['export', '--format', 'json', 'r2'], { env, timeoutMs: 60_000 })
    assert.equal(r.code, 0, r.stderr)
    const creds = JSON.parse(r.stdout)
    const status = await vault(['agent', 'status'], { env, timeoutMs: 30_000 })
    assert.equal(status.code, 0, status.stderr)
    assert.match(status.stdout, /store unlocked/)
    assert.match(status.stdout, /r2\tsts\.AssumeRole/)
    assert.match(status.stdout, /caktus\tsts\.GetSessionToken \(MFA\)/)
    for (const secret of [creds.AccessKeyId, creds.SecretAccessKey, creds.SessionToken, 'wJalrXUtnFEMI'])
      assert.ok(!status.stdout.includes(secret))
    assert.equal((await vault(['agent', 'lock'], { env })).code, 0)
    const locked = await vault(['agent', 'status', '--json'], { env })
    assert.deepEqual(JSON.parse(locked.stdout).items, [])
    // The tests' teardown stops agents over the socket: `vault agent stop` itself is run here.
    const stopped = await vault(['agent', 'stop'], { env, timeoutMs: 30_000 })
    assert.equal(stopped.code, 0, stopped.stderr)
    const deadline = Date.now() + 30_000
    while (isAlive(pid as number) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    assert.equal(isAlive(pid as number), false, 'the agent is still running after vault agent stop')
  })

  it('another local user cannot connect to the socket; a directory others can enter is refused', async () => {
    pid = await startAgent(env)
    const socket = env.AWS_VAULT_AGENT_SOCK
    const probe = `require('net').createConnection(${JSON.stringify(socket)}).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`
    const other = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', probe], {
      encoding: 'utf8',
      timeout: 30_000,
    })
    assert.equal(other.stdout.trim(), 'EACCES', other.stderr)
    const open = join(dir, 'open')
    await mkdir(open, { mode: 0o755 })
    await chmod(open, 0o755)
    const refused = await vault(['agent', 'start'], {
      env: { ...env, AWS_VAULT_AGENT_SOCK: join(open, 'agent.sock') },
      timeoutMs: 30_000,
    })
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /can be entered by other users \(mode 755\)/)
  })

  it('a stub notify-send on PATH records one notification before the MFA session ends', async () => {
    const bin = join(dir, 'bin')
    const notes = join(dir, 'notify.log')
    await mkdir(bin, { mode: 0o700 })
    await writeFile(join(bin, 'notify-send'), `#!/bin/sh\necho "$*" >> ${notes}\n`, { mode: 0o700 })
    // The strict STS gives no MFA session shorter than 15 minutes: warn 9 h ahead of an 8 h one.
    env = { ...env, PATH: `${bin}:${env.PATH}`, VAULT_AGENT_TICK_MS: '200' }
    pid = await startAgent(env, ['--warn-before', '9h'])
    const r = await vault(['export', '--format', 'json', 'r1'], { env, timeoutMs: 60_000 })
    assert.equal(r.code, 0, r.stderr)
    const lines = async () => (await readFile(notes, 'utf8').catch(() => '')).split('\n').filter(Boolean)
    const deadline = Date.now() + 30_000
    while ((await lines()).length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100))
    // Many more ticks: still one notification.
    await new Promise((res) => setTimeout(res, 2000))
    const got = await lines()
    assert.equal(got.length, 1, got.join('\n'))
    assert.match(got[0], /^--app-name=vault vault -- vault: the MFA session of profile caktus ends in 7h59m/)
    const status = await vault(['agent', 'status'], { env })
    assert.match(status.stdout, /notice: the MFA session of profile caktus ends in/)
  })
})
