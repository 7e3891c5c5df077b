import assert from 'node:assert/strict'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { type Home, makeHome, type Services, startServices, vault } from './harness.js'
import { createUserWithKey } from './iam.js'
import { SigninStub } from './signin-stub.js'

describe('vault login, end to end (issue 8)', () => {
  let services: Services
  let home: Home
  const stub = new SigninStub()
  let keys: string
  let userName: string
  let n = 0
  before(async () => {
    services = await startServices()
    // The role is set up for console sessions longer than IAM's default hour (the tests ask for 2h).
    await services.sts.role('arn:aws:iam::123456789012:role/Console', { maxSessionDuration: 43200 })
    await stub.start()
  })
  after(async () => {
    await stub.stop()
    await services?.stop()
  })
  beforeEach(async () => {
    n += 1
    keys = `console-${n}`
    // Longer than the 32 characters GetFederationToken allows for a name.
    userName = `console-user-with-a-long-name-${String(n).padStart(4, '0')}`
    home = await makeHome(services, { VAULT_FEDERATION_ENDPOINT: stub.url })
    await home.writeConfig(`[profile ${keys}]
region = eu-central-1

[profile ${keys}-role]
source_profile = ${keys}
role_arn = arn:aws:iam::123456789012:role/Console
region = us-east-1
`)
    // The IAM user is made in moto directly (./iam.ts), without two AWS CLI start-ups per test.
    const key = await createUserWithKey(services, userName)
    const added = await vault(['add', keys, '--env'], {
      env: { ...home.env, AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey },
    })
    assert.equal(added.code, 0, added.stderr)
    stub.reset()
    await services.recorder.start()
  })
  afterEach(async () => {
    await home.cleanup()
  })

  /** The one URL on stdout, split into what the federation endpoint would read. */
  function parseLoginUrl(stdout: string) {
    const lines = stdout.split('\n')
    assert.equal(lines.length, 2, `one line on stdout: ${stdout}`)
    const url = new URL(lines[0])
    return { endpoint: `${url.origin}${url.pathname}`, params: Object.fromEntries(url.searchParams) }
  }

  it('login --stdout on a role prints a URL whose Issuer, Destination and SigninToken decode as expected', async () => {
    const res = await vault(['login', `${keys}-role`, '--stdout'], { env: home.env })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stderr, '')
    assert.deepEqual(parseLoginUrl(res.stdout), {
      endpoint: stub.url,
      params: {
        Action: 'login',
        Issuer: 'vault',
        Destination: 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1',
        SigninToken: 'stub-token-1+/=',
      },
    })
    // The endpoint got the role credentials: the same ones vault caches and exports.
    assert.equal(stub.requests.length, 1)
    assert.equal(stub.requests[0].get('Action'), 'getSigninToken')
    assert.equal(stub.requests[0].has('SessionDuration'), false)
    const exported = await vault(['export', `${keys}-role`, '--format', 'json'], { env: home.env })
    const role = JSON.parse(exported.stdout)
    assert.deepEqual(stub.session(0), {
      sessionId: role.AccessKeyId,
      sessionKey: role.SecretAccessKey,
      sessionToken: role.SessionToken,
    })
    const actions = (await services.recorder.calls()).map((c) => c.action)
    assert.equal(actions.filter((a) => a === 'AssumeRole').length, 1)
    assert.equal(actions.includes('GetFederationToken'), false)
  })

  it('AWS_VAULT_AUTO_LOGOUT signs out first, as ByteNess aws-vault --auto-logout does (issue 25)', async () => {
    const res = await vault(['login', `${keys}-role`, '--stdout'], {
      env: { ...home.env, AWS_VAULT_AUTO_LOGOUT: 'true' },
    })
    assert.equal(res.code, 0, res.stderr)
    const { endpoint, params } = parseLoginUrl(res.stdout)
    assert.equal(endpoint, `${new URL(stub.url).origin}/oauth`)
    assert.equal(params.Action, 'logout')
    assert.deepEqual(parseLoginUrl(`${params.redirect_uri}\n`).params, {
      Action: 'login',
      Issuer: 'vault',
      Destination: 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1',
      SigninToken: 'stub-token-1+/=',
    })
  })

  it('a profile with only keys signs in through GetFederationToken named after the IAM user', async () => {
    const res = await vault(['login', keys, '--stdout', '--path', 's3/home', '-d', '2h'], { env: home.env })
    assert.equal(res.code, 0, res.stderr)
    const { params } = parseLoginUrl(res.stdout)
    assert.equal(params.Destination, 'https://eu-central-1.console.aws.amazon.com/s3/home?region=eu-central-1')
    assert.equal(params.SigninToken, 'stub-token-1+/=')
    const calls = await services.recorder.calls()
    assert.deepEqual(
      calls.map((c) => c.action),
      ['GetCallerIdentity', 'GetFederationToken'],
    )
    const federation = new URLSearchParams(calls[1].body)
    assert.equal(federation.get('Name'), userName.slice(0, 32))
    assert.equal(federation.get('DurationSeconds'), '7200')
    assert.deepEqual(JSON.parse(federation.get('Policy') ?? ''), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    })
    const session = stub.session(0)
    assert.deepEqual(Object.keys(session), ['sessionId', 'sessionKey', 'sessionToken'])
    assert.ok(session.sessionToken, 'federation credentials are temporary')
    assert.equal(stub.requests[0].has('SessionDuration'), false)
  })

  it('--duration on a role assumed straight from the keys sends SessionDuration, and retries without it on HTTP 400', async () => {
    const accepted = await vault(['login', `${keys}-role`, '--stdout', '--no-session', '-d', '2h'], { env: home.env })
    assert.equal(accepted.code, 0, accepted.stderr)
    assert.deepEqual(
      stub.requests.map((q) => q.get('SessionDuration')),
      ['7200'],
    )
    stub.reset()
    stub.rejectSessionDuration = true
    const refused = await vault(['login', `${keys}-role`, '--stdout', '--no-session', '-d', '2h', '--debug'], {
      env: home.env,
    })
    assert.equal(refused.code, 0, refused.stderr)
    assert.deepEqual(
      stub.requests.map((q) => q.get('SessionDuration')),
      ['7200', null],
    )
    assert.match(refused.stderr, /HTTP 400 with SessionDuration=7200 .*asking again without it/)
    assert.equal(parseLoginUrl(refused.stdout).params.SigninToken, 'stub-token-2+/=')
  })

  it('opens the default browser, and keeps the credential-bearing URL off stdout', async () => {
    const opened = join(home.dir, 'opened.txt')
    const browser = join(home.dir, 'browser.sh')
    await writeFile(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`)
    await chmod(browser, 0o755)
    // xdg-open with no desktop session runs $BROWSER.
    const env = { ...home.env, BROWSER: browser, XDG_CURRENT_DESKTOP: 'X-Generic' }
    const res = await vault(['login', `${keys}-role`], { env })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, '')
    assert.equal(res.stderr, `Opened the AWS console for profile ${keys}-role in your browser\n`)
    const url = new URL(await readFile(opened, 'utf8'))
    assert.equal(url.searchParams.get('SigninToken'), 'stub-token-1+/=')
  })

  it('prints the URL on stderr when no browser opens', async () => {
    const env = { ...home.env, BROWSER: 'false', XDG_CURRENT_DESKTOP: 'X-Generic' }
    const res = await vault(['login', `${keys}-role`], { env })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, '')
    const [message, url] = res.stderr.split('\n')
    assert.match(
      message,
      /^vault: could not open a browser \(the browser opener exited with \d+\); open this URL to sign in:$/,
    )
    assert.equal(new URL(url).searchParams.get('SigninToken'), 'stub-token-1+/=')
  })
})
