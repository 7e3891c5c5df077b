import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import {
  type Home,
  makeHome,
  repoRoot,
  requireCommand,
  run,
  type Services,
  startServices,
  testKeys,
  vault,
  vaultBin,
} from './harness.js'
import { assertRefreshedAcrossExpiry, boto3Loop, script } from './server-clients.js'

const serial = 'arn:aws:iam::111111111111:mfa/jon'
// The MFA session itself (GetSessionToken on caktus) lives 6 s, so it expires again and again:
// AWS's shortest session is 15 min, so the strict STS issues it so (see beforeEach).
const shortSession = { LOOP_SECONDS: '10' }

const execServer = (args: string[], env: Record<string, string>, timeoutMs = 60_000) =>
  run(['exec', '--ecs-server', ...args], {
    env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    cwd: repoRoot,
    timeoutMs,
  })

const lines = async (path: string) => (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean).length

describe('vault exec --ecs-server when the MFA session expires (issue 7)', () => {
  let services: Services
  let home: Home
  before(async () => {
    services = await startServices()
  })
  after(async () => {
    await services?.stop()
  })
  beforeEach(async () => {
    home = await makeHome(services)
    const counter = join(home.dir, 'mfa-process.calls')
    const mfaProcess = await script(home.dir, 'mfa-process', `echo called >> ${counter}\necho 123456`)
    await home.writeConfig(`[profile caktus]
region = us-east-1
mfa_serial = ${serial}

[profile scripted]
region = us-east-1
mfa_serial = ${serial}
mfa_process = ${mfaProcess}
`)
    for (const profile of ['caktus', 'scripted']) {
      const added = await vault(['add', profile, '--env'], { env: { ...home.env, ...testKeys } })
      assert.equal(added.code, 0, added.stderr)
    }
    assert.equal((await vault(['clear'], { env: home.env })).code, 0)
    await services.recorder.start()
    await services.sts.lifetime({ GetSessionToken: 6 })
  })
  afterEach(async () => {
    await home?.cleanup()
  })

  it('asks mfa_process for a new code each time the session expires, and the process never fails', async () => {
    const res = await execServer(['scripted', '--', 'python3', '-c', boto3Loop], { ...home.env, ...shortSession })
    assert.equal(res.code, 0, res.stderr)
    assertRefreshedAcrossExpiry(res.stdout, undefined)
    const asked = await lines(join(home.dir, 'mfa-process.calls'))
    assert.ok(asked >= 3, `mfa_process ran ${asked} times`)
    const sessions = (await services.recorder.calls()).filter((c) => c.action === 'GetSessionToken')
    assert.equal(sessions.length, asked)
    for (const call of sessions) assert.equal(new URLSearchParams(call.body).get('TokenCode'), '123456')
  })

  it('with no terminal, asks through a dialog (zenity) when one is installed', async () => {
    const bin = join(home.dir, 'bin')
    await mkdir(bin)
    const counter = join(home.dir, 'zenity.calls')
    await script(bin, 'zenity', `echo "$*" >> ${counter}\necho 654321`)
    const env = { ...home.env, ...shortSession, PATH: `${bin}:${home.env.PATH}`, DISPLAY: ':99' }
    const res = await execServer(['caktus', '-t', '123456', '--', 'python3', '-c', boto3Loop], env)
    assert.equal(res.code, 0, res.stderr)
    assertRefreshedAcrossExpiry(res.stdout, undefined)
    const asked = (await readFile(counter, 'utf8')).trim().split('\n')
    assert.ok(asked.length >= 2, `zenity ran ${asked.length} times`)
    assert.match(asked[0] as string, new RegExp(`--entry --title=vault --text=Enter MFA code for ${serial}`))
    const codes = (await services.recorder.calls())
      .filter((c) => c.action === 'GetSessionToken')
      .map((c) => new URLSearchParams(c.body).get('TokenCode'))
    assert.deepEqual(codes, ['123456', ...asked.map(() => '654321')])
  })

  it('with no source of a code, answers 500 saying what to run; running it lets the server go on', async () => {
    const asked = join(home.dir, 'asked')
    const go = join(home.dir, 'go')
    const js = `
import { existsSync, writeFileSync } from 'node:fs'
const get = async () => {
  const res = await fetch(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, { headers: { Authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN } })
  return { status: res.status, body: await res.json() }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const first = await get()
await sleep(3500) // past half of the 6 s session: the server must refresh, and needs a code
const refused = await get()
writeFileSync(${JSON.stringify(asked)}, '')
while (!existsSync(${JSON.stringify(go)})) await sleep(100)
const after = await get()
console.log(JSON.stringify({ first, refused, after }))`
    const server = execServer(
      ['caktus', '-t', '123456', '--', process.execPath, '--input-type=module', '-e', js],
      home.env,
    )
    const deadline = Date.now() + 30_000
    while (!existsSync(asked)) {
      assert.ok(Date.now() < deadline, 'the child never got its answer')
      await new Promise((r) => setTimeout(r, 100))
    }
    // What the message says to run, from another terminal (here: no terminal, and a fresh code),
    // which gets a session of the default hour.
    await services.sts.lifetime({})
    const fixed = await vault(['exec', 'caktus', '-t', '123456', '--', 'true'], { env: home.env })
    assert.equal(fixed.code, 0, fixed.stderr)
    await writeFile(go, '')
    const res = await server
    assert.equal(res.code, 0, res.stderr)
    const { first, refused, after } = JSON.parse(res.stdout)
    assert.equal(first.status, 200)
    assert.equal(refused.status, 500)
    // The server was started with -t: the refresh says that code is spent (issue 15).
    assert.match(
      refused.body.Message,
      /profile "caktus" needs another MFA code for .*: the -t\/--mfa-token code was used already \(AWS takes each code once\), and there is no terminal to ask on/,
    )
    assert.match(
      refused.body.Message,
      /run in a terminal: vault exec caktus -t CODE -- true \(the server picks up the new session\)/,
    )
    assert.match(res.stderr, /vault: ecs server: GET \/ failed: profile "caktus" needs another MFA code/)
    assert.equal(after.status, 200)
    // The session stored by that run (moto gives every session the same key; the expiry differs).
    assert.ok(Date.parse(after.body.Expiration) > Date.parse(first.body.Expiration) + 30 * 60_000)
  })

  it('asks on the terminal when it is still there, while the command runs', async () => {
    requireCommand('tmux')
    const out = join(home.dir, 'out.json')
    const loop = join(home.dir, 'loop.py')
    await writeFile(loop, boto3Loop)
    const env = { ...home.env, ...shortSession, LOOP_SECONDS: '8' }
    const exports = Object.entries(env)
      .map(([k, v]) => `export ${k}='${v}'`)
      .join('\n')
    const sh = await script(
      home.dir,
      'run.sh',
      `${exports}\n${process.execPath} ${vaultBin} exec --ecs-server caktus -- python3 ${loop} > ${out}\necho $? > ${out}.done`,
    )
    const socket = `vault-e2e-server-${process.pid}`
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
    tmux('new-session', '-d', '-s', 'mfa', '-x', '200', '-y', '50', `sh ${sh}`)
    let answered = 0
    try {
      const deadline = Date.now() + 40_000
      while (!existsSync(`${out}.done`)) {
        assert.ok(Date.now() < deadline, `timed out; pane:\n${tmux('capture-pane', '-p', '-t', 'mfa').stdout}`)
        const prompts = (tmux('capture-pane', '-p', '-t', 'mfa').stdout.match(/Enter MFA code for /g) ?? []).length
        if (prompts > answered) {
          tmux('send-keys', '-t', 'mfa', '123456', 'Enter')
          answered = prompts
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    } finally {
      tmux('kill-server')
    }
    assert.equal((await readFile(`${out}.done`, 'utf8')).trim(), '0')
    assert.ok(answered >= 2, `asked ${answered} times: once to start, then when the session expired`)
    assertRefreshedAcrossExpiry(await readFile(out, 'utf8'), undefined, 2)
    assert.equal(await services.recorder.count('GetSessionToken'), answered)
  })
})
