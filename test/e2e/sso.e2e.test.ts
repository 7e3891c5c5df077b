/**
 * IAM Identity Center end to end (issue 16): bin/run.js against the SSO stand-in (test/sso/,
 * proven against botocore in test/sso/stand-in.test.ts), reached through the real
 * @aws-sdk/client-sso-oidc and @aws-sdk/client-sso redirected with AWS_ENDPOINT_URL_SSO_OIDC and
 * AWS_ENDPOINT_URL_SSO, with OIDC tokens and role credentials in a real gnome-keyring, and STS
 * from moto for a role chained over SSO.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { lstat, mkdir, readdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { ssoConfig, ssoEndpoints } from '../fakes/sso.js'
import { deviceGrant, SsoStandIn } from '../sso/stand-in.js'
import { type Home, makeHome, quietSdk, run, useServices, vault, vaultBin } from './harness.js'
import { openTerminal } from './terminal.js'

let n = 0

interface World {
  standIn: SsoStandIn
  home: Home
  startUrl: string
  browserOpens(): Promise<string[]>
  exportJson(profile?: string, extra?: string[]): Promise<{ json: Record<string, string>; stderr: string }>
}

describe('IAM Identity Center (issue 16)', () => {
  const services = useServices()

  /** A stand-in, a HOME with an SSO profile, and a BROWSER that approves; torn down after the test. */
  async function setup(t: TestContext): Promise<World> {
    const standIn = new SsoStandIn({
      // IAM Identity Center's role credentials are good at STS: the strict STS learns of each set.
      onRoleCredentials: (c) => services().sts.trust(c),
      accounts: [
        {
          accountId: '111111111111',
          accountName: 'dev',
          emailAddress: 'dev@example.com',
          roles: ['Admin', 'ReadOnly'],
        },
        {
          accountId: '222222222222',
          accountName: 'prod',
          emailAddress: 'prod@example.com',
          roles: ['Admin', 'ReadOnly'],
        },
        {
          accountId: '333333333333',
          accountName: 'audit',
          emailAddress: 'audit@example.com',
          roles: ['Admin', 'ReadOnly'],
        },
      ],
    })
    await standIn.start()
    const startUrl = `https://e2e-${process.pid}-${++n}.awsapps.com/start`
    const home = await makeHome(services(), {
      ...quietSdk,
      ...ssoEndpoints(standIn.url),
    })
    t.after(async () => {
      await standIn.stop()
      await home.cleanup()
    })
    // The person at the browser: BROWSER gets the verification URL, records it, and approves.
    const browserLog = join(home.dir, 'browser.log')
    const browser = join(home.dir, 'browser.sh')
    await writeFile(browser, `#!/bin/sh\necho "$1" >> ${browserLog}\ncurl -sf "$1" > /dev/null\n`, { mode: 0o700 })
    home.env.BROWSER = browser
    await home.writeConfig(ssoConfig(startUrl))
    // The keyring outlives a test: no cached sessions or tokens from the one before.
    const cleared = await vault(['clear'], { env: home.env })
    assert.equal(cleared.code, 0, cleared.stderr)
    return {
      standIn,
      home,
      startUrl,
      browserOpens: async () => (await readFile(browserLog, 'utf8').catch(() => '')).split('\n').filter(Boolean),
      async exportJson(profile = 'dev', extra: string[] = []) {
        const r = await vault(['export', '--format', 'json', ...extra, profile], { env: home.env, timeoutMs: 60_000 })
        assert.equal(r.code, 0, r.stderr)
        return { json: JSON.parse(r.stdout) as Record<string, string>, stderr: r.stderr }
      },
    }
  }

  it('device login in a terminal: the code is shown on /dev/tty, the user approves, exec gets role credentials', async (t) => {
    const { standIn, home, browserOpens } = await setup(t)
    const term = await openTerminal(
      home.dir,
      home.env,
      `node ${vaultBin} exec --no-browser dev -- sh -c 'echo KEY=$AWS_ACCESS_KEY_ID REGION=$AWS_REGION' 2>/dev/null; echo EXIT=$?`,
    )
    try {
      // stderr goes to /dev/null: what the user sees came through /dev/tty.
      const screen = await term.waitFor((s) => /enter the code:\s+([A-Z0-9]{4}-[A-Z0-9]{4})/.test(s), 30_000)
      assert.match(screen, new RegExp(`${standIn.url}/device`))
      const userCode = /enter the code:\s+([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(screen)?.[1] as string
      assert.deepEqual(standIn.pendingUserCodes(), [userCode])
      standIn.approve(userCode)
      const done = await term.waitFor((s) => s.includes('EXIT='), 30_000)
      assert.match(done, /KEY=ASIA[0-9A-F]{16} REGION=eu-west-1/)
      assert.match(done, /EXIT=0/)
    } finally {
      term.close()
    }
    assert.deepEqual(await browserOpens(), [], '--no-browser opens none')
    assert.equal(standIn.count('RegisterClient'), 1)
    assert.equal(standIn.count('StartDeviceAuthorization'), 1)
    assert.equal(standIn.calls.filter((c) => c.grantType === deviceGrant && c.status === 200).length, 1)
    assert.equal(standIn.count('GetRoleCredentials'), 1)
  })

  it('32 parallel credential_process calls: one device authorization, one device_code CreateToken, one browser tab', async (t) => {
    const { standIn, home, browserOpens } = await setup(t)
    const results = await Promise.all(
      Array.from({ length: 32 }, () =>
        vault(['export', '--format', 'json', 'dev'], { env: home.env, timeoutMs: 120_000 }),
      ),
    )
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    assert.equal(new Set(results.map((r) => JSON.parse(r.stdout).AccessKeyId)).size, 1)
    // No terminal (the processes run in their own session): the code went to stderr, once.
    assert.equal(results.filter((r) => r.stderr.includes('enter the code')).length, 1)
    assert.equal((await browserOpens()).length, 1)
    // One device_code CreateToken that got the token. Polls answered authorization_pending before
    // the browser's approval lands are the protocol, and a loaded machine (load 30) makes more of them.
    const tokens = standIn.calls.filter((c) => c.operation === 'CreateToken' && c.grantType === deviceGrant)
    assert.equal(tokens.filter((c) => c.status === 200).length, 1)
    assert.deepEqual(
      tokens.filter((c) => c.status !== 200).map((c) => c.error),
      tokens.filter((c) => c.status !== 200).map(() => 'authorization_pending'),
    )
    // One call each, however many attempts: with two whole suites running (load 20–25) an attempt
    // outlived its deadline and the SDK tried again under the same invocation id (GetRoleCredentials
    // last stop, RegisterClient this one). A second caller is a second id; the message lists them.
    for (const operation of ['RegisterClient', 'StartDeviceAuthorization', 'GetRoleCredentials'] as const) {
      assert.equal(
        standIn.invocations(operation),
        1,
        `${operation}: ${JSON.stringify(standIn.calls.filter((c) => c.operation === operation))}`,
      )
    }
  })

  it('refresh after the access token expires: refresh_token grant, no browser; then a refused refresh starts a new login', async (t) => {
    const { standIn, startUrl, browserOpens, exportJson } = await setup(t)
    standIn.tokenTtl = 3
    // Role credentials inside the 15-minute credential_process window: every export fetches them
    // anew with the stored token (`vault clear dev` would remove the token too, as ByteNess does).
    standIn.roleCredentialsTtl = 600
    await exportJson()
    assert.equal((await browserOpens()).length, 1)
    // Later tokens live 10 minutes: inside the 15-minute refresh window, so every use refreshes.
    standIn.tokenTtl = 600
    await new Promise((r) => setTimeout(r, 3200)) // the first access token is now expired
    const refreshed = await exportJson()
    assert.doesNotMatch(refreshed.stderr, /enter the code/)
    assert.equal((await browserOpens()).length, 1, 'no browser for a refresh')
    assert.equal(standIn.count('CreateToken', 'refresh_token'), 1)
    assert.equal(standIn.count('StartDeviceAuthorization'), 1)

    standIn.revokeRefreshTokens() // the Identity Center session ended
    const again = await exportJson()
    assert.match(
      again.stderr,
      new RegExp(
        `^vault: the SSO session for ${startUrl} could not be refreshed \\(invalid_grant\\); starting a new login$`,
        'm',
      ),
    )
    assert.equal((await browserOpens()).length, 2)
    assert.equal(standIn.count('StartDeviceAuthorization'), 2)
    assert.equal(standIn.count('RegisterClient'), 1, 'the stored client registration is reused')
  })

  it('401 from the portal for a cached token: the token is dropped and the call retried once', async (t) => {
    const { standIn, exportJson } = await setup(t)
    standIn.roleCredentialsTtl = 600 // refetched on the next export, with the stored token
    await exportJson()
    standIn.reject401 = 1
    const { json } = await exportJson('dev', ['--debug'])
    assert.match(json.AccessKeyId, /^ASIA/)
    assert.deepEqual(
      standIn.calls.filter((c) => c.operation === 'GetRoleCredentials').map((c) => c.status),
      [200, 401, 200],
    )
    // The refresh token survived the 401: no second device authorization.
    assert.equal(standIn.count('CreateToken', 'refresh_token'), 1)
    assert.equal(standIn.count('StartDeviceAuthorization'), 1)
  })

  it('a role chained over an SSO profile: AssumeRole at moto with the SSO role credentials', async (t) => {
    const { standIn, home, startUrl, exportJson } = await setup(t)
    await home.writeConfig(
      ssoConfig(
        startUrl,
        '\n[profile admin]\nsource_profile = dev\nrole_arn = arn:aws:iam::222222222222:role/Dev\nregion = us-east-1\n',
      ),
    )
    await services().recorder.start()
    const { json } = await exportJson('admin')
    assert.match(json.AccessKeyId, /^ASIA/)
    assert.equal(await services().recorder.count('AssumeRole'), 1)
    assert.equal(standIn.count('GetRoleCredentials'), 1)
    const list = await vault(['list'], { env: home.env })
    assert.match(list.stdout, /^dev +- +oidc:\S+:7h59m\d+s, sso\.GetRoleCredentials:(59m\d+s|1h0m0s)$/m)
    assert.match(list.stdout, /^admin +- +sts\.AssumeRole:(59m\d+s|1h0m0s)$/m)
    const exec = await vault(['exec', 'admin', '--', 'aws', 'sts', 'get-caller-identity', '--output', 'text'], {
      env: home.env,
      timeoutMs: 60_000,
    })
    assert.equal(exec.code, 0, exec.stderr)
    assert.match(exec.stdout, /arn:aws:sts::222222222222:assumed-role\/Dev\//)
  })

  it('list and clear: OIDC tokens and SSO role credentials with time left; clear --sso removes only the tokens', async (t) => {
    const { standIn, home, exportJson } = await setup(t)
    await exportJson()
    const list = await vault(['list'], { env: home.env })
    assert.equal(list.code, 0, list.stderr)
    assert.match(
      list.stdout,
      // ByteNess cli/list.go oidcLabel: the sso-session's name (vault adds the time left).
      /^dev +- +oidc:corp:7h59m\d+s, sso\.GetRoleCredentials:(59m\d+s|1h0m0s)$/m,
    )
    // Never in plaintext: no file under HOME holds the access token.
    const [token] = standIn.issuedAccessTokens()
    for (const file of await readdir(home.dir, { recursive: true })) {
      const text = await readFile(join(home.dir, file), 'utf8').catch(() => '')
      assert.ok(!text.includes(token), `${file} holds the access token`)
    }
    const sso = await vault(['clear', '--sso'], { env: home.env })
    // Results on stdout (issue 14), in aws-vault's words for sessions.
    assert.deepEqual([sso.stdout, sso.stderr], ['Cleared 1 SSO token.\n', ''])
    assert.match(
      (await vault(['list'], { env: home.env })).stdout,
      /^dev +- +sso\.GetRoleCredentials:(59m\d+s|1h0m0s)$/m,
    )
    const all = await vault(['clear'], { env: home.env })
    assert.deepEqual([all.stdout, all.stderr], ['Cleared 1 session.\n', ''])
    assert.match((await vault(['list'], { env: home.env })).stdout, /^dev +- +-$/m)
  })

  it('list labels the token by its start URL host without an sso-session; clear PROFILE removes its token (issue 25)', async (t) => {
    const { home, startUrl, exportJson } = await setup(t)
    await exportJson()
    // ByteNess cli/list.go oidcLabel: the start URL's host when the profile has no sso-session.
    const host = new URL(startUrl).host
    await home.writeConfig(
      `[profile dev]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = us-east-1\n`,
    )
    const list = await vault(['list'], { env: home.env })
    assert.equal(list.code, 0, list.stderr)
    assert.match(list.stdout, new RegExp(`^dev +- +oidc:${host.replaceAll('.', '\\.')}:7h59m\\d+s`, 'm'))
    // ByteNess cli/clear.go: clear PROFILE removes the token of the profile's start URL too.
    await home.writeConfig(ssoConfig(startUrl))
    const cleared = await vault(['clear', 'dev'], { env: home.env })
    assert.deepEqual([cleared.code, cleared.stdout, cleared.stderr], [0, 'Cleared 2 sessions.\n', ''])
    assert.match((await vault(['list'], { env: home.env })).stdout, /^dev +- +-$/m)
  })

  it('sso populate: 3 accounts x 2 roles, --dry-run writes nothing, existing sections untouched', async (t) => {
    const { standIn, home, startUrl, exportJson } = await setup(t)
    const before = `${ssoConfig(startUrl)}\n# mine\n[profile prod-Admin]\nregion = ap-south-1 ; keep me\n`
    await home.writeConfig(before)
    // A dotfiles manager's link (stow, yadm): written through to its target, the link kept (issue 28).
    const target = join(home.dir, 'dotfiles-config')
    await rename(home.configFile, target)
    await symlink(target, home.configFile)
    const dry = await vault(['sso', 'populate', 'corp', '--dry-run'], { env: home.env, timeoutMs: 60_000 })
    assert.equal(dry.code, 0, dry.stderr)
    assert.equal(await readFile(home.configFile, 'utf8'), before)
    const expected = [
      'audit-Admin',
      'audit-ReadOnly',
      'dev-Admin',
      'dev-ReadOnly',
      // prod-Admin is taken
      'prod-ReadOnly',
    ]
    assert.deepEqual(
      [...dry.stdout.matchAll(/^\[profile (.+)\]$/gm)].map((m) => m[1]),
      expected,
    )
    assert.match(dry.stderr, /Would add 5 profiles \(1 already in the config, left as they are\)\./)
    const real = await vault(['sso', 'populate', 'corp'], { env: home.env, timeoutMs: 60_000 })
    assert.equal(real.code, 0, real.stderr)
    assert.equal(real.stdout, expected.map((p) => `${p}\n`).join(''))
    const after = await readFile(home.configFile, 'utf8')
    assert.ok(after.startsWith(before), 'existing bytes kept')
    assert.ok((await lstat(home.configFile)).isSymbolicLink(), 'the link is kept')
    assert.equal(
      after.slice(before.length),
      '\n[profile audit-Admin]\nsso_session = corp\nsso_account_id = 333333333333\nsso_role_name = Admin\nregion = us-east-1\n' +
        '\n[profile audit-ReadOnly]\nsso_session = corp\nsso_account_id = 333333333333\nsso_role_name = ReadOnly\nregion = us-east-1\n' +
        '\n[profile dev-Admin]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = us-east-1\n' +
        '\n[profile dev-ReadOnly]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = ReadOnly\nregion = us-east-1\n' +
        '\n[profile prod-ReadOnly]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = ReadOnly\nregion = us-east-1\n',
    )
    // Paged answers (one item a page) were followed; one login served both runs.
    assert.equal(standIn.count('ListAccounts'), 6)
    assert.equal(standIn.count('StartDeviceAuthorization'), 1)
    const { json } = await exportJson('audit-ReadOnly')
    assert.match(json.SessionToken, /^sso-session-333333333333-ReadOnly-/)
  })

  it('a cache hit goes through the fast path: no AWS SDK, oclif or prompts loaded', async (t) => {
    const { home, exportJson } = await setup(t)
    const first = await exportJson()
    const traceFile = join(home.dir, 'hit.trace')
    const hit = await run(
      ['--import', join(import.meta.dirname, 'trace-imports.mjs'), vaultBin, 'export', '--format', 'json', 'dev'],
      {
        env: { ...home.env, TRACE_FILE: traceFile, VAULT_PATH_LOG: join(home.dir, 'hit.path') },
        cmd: process.execPath,
      },
    )
    assert.equal(hit.code, 0, hit.stderr)
    assert.equal(JSON.parse(hit.stdout).AccessKeyId, first.json.AccessKeyId)
    assert.equal(await readFile(join(home.dir, 'hit.path'), 'utf8'), 'fast\n', 'served by the fast path')
    const urls = (await readFile(traceFile, 'utf8')).split('\n').filter(Boolean)
    assert.ok(
      urls.some((u) => u.endsWith('/bin/load-bundle.cjs')),
      'the tracer saw the run',
    )
    assert.deepEqual(
      urls.filter((u) => /node_modules\/(@aws-sdk|@inquirer|@oclif)\/|\/dist\/cli\/bundle\.cjs$/.test(u)),
      [],
    )
  })

  it('login --stdout on an SSO profile: the federation endpoint gets the SSO role credentials', async (t) => {
    const { home, exportJson } = await setup(t)
    const sessions: string[] = []
    const signin = createServer((req, res) => {
      sessions.push(new URL(req.url ?? '/', 'http://stub').searchParams.get('Session') ?? '')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"SigninToken":"stub-token"}')
    })
    await new Promise<void>((r) => signin.listen(0, '127.0.0.1', r))
    t.after(() => new Promise((r) => signin.close(r)))
    home.env.VAULT_FEDERATION_ENDPOINT = `http://127.0.0.1:${(signin.address() as AddressInfo).port}/federation`
    // --stdout opens no browser tab, for the console nor for an SSO login: sign in first.
    const { json } = await exportJson()
    const login = await vault(['login', 'dev', '--stdout'], { env: home.env, timeoutMs: 60_000 })
    assert.equal(login.code, 0, login.stderr)
    const url = new URL(login.stdout.trim())
    assert.equal(url.searchParams.get('SigninToken'), 'stub-token')
    assert.equal(
      url.searchParams.get('Destination'),
      'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
    )
    assert.deepEqual(JSON.parse(sessions[0]), {
      sessionId: json.AccessKeyId,
      sessionKey: json.SecretAccessKey,
      sessionToken: json.SessionToken,
    })
  })

  it("a valid token in the AWS CLI's cache (~/.aws/sso/cache) is used, and vault writes nothing there", async (t) => {
    const { standIn, home, startUrl, exportJson } = await setup(t)
    const dir = join(home.dir, '.aws', 'sso', 'cache')
    await mkdir(dir, { recursive: true })
    // botocore's SSOTokenLoader names the file after the sha1 of the sso-session name.
    const file = join(dir, `${createHash('sha1').update('corp').digest('hex')}.json`)
    const expiresAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')
    const cached = JSON.stringify({ startUrl, region: 'us-east-1', accessToken: standIn.issueAccessToken(), expiresAt })
    await writeFile(file, cached)
    const before = await stat(file)
    await exportJson()
    assert.equal(standIn.count('StartDeviceAuthorization'), 0)
    assert.equal(standIn.count('RegisterClient'), 0)
    assert.equal(standIn.count('GetRoleCredentials'), 1)
    assert.deepEqual(await readdir(dir), [file.slice(dir.length + 1)])
    assert.equal(await readFile(file, 'utf8'), cached)
    assert.equal((await stat(file)).mtimeMs, before.mtimeMs)
  })
})
