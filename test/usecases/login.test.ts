import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { createRuntime } from '../../src/compose/runtime.js'
import { UsageError } from '../../src/errors.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import { login } from '../../src/usecases/login.js'
import { noLock } from '../../src/vault/provider.js'
import { fixedClock, longTermKeys, recordingSts, stringSink } from '../fakes/fakes.js'

const config = `[profile caktus]
region = eu-west-1

[profile saguaro]
source_profile = caktus
role_arn = arn:aws:iam::222222222222:role/Dev
region = us-east-1

[profile panda]
source_profile = caktus
role_arn = arn:aws:iam::333333333333:role/Dev
region = cn-north-1
`

describe('vault login, the use case (issue 8)', () => {
  let home: string
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'vault-login-'))
    await writeFile(join(home, 'config'), config)
  })
  afterEach(async () => {
    await rm(home, { recursive: true, force: true })
  })

  function setup(options: { env?: Record<string, string>; openFails?: boolean } = {}) {
    const clock = fixedClock()
    const sts = recordingSts(clock)
    const requests: URL[] = []
    const opened: string[] = []
    const stdout = stringSink()
    const stderr = stringSink()
    const store = new MemoryStore([
      {
        key: 'caktus',
        data: JSON.stringify({ AccessKeyID: longTermKeys.accessKeyId, SecretAccessKey: longTermKeys.secretAccessKey }),
      },
    ])
    const rt = createRuntime(
      { debug: false },
      {
        env: {
          HOME: home,
          AWS_CONFIG_FILE: join(home, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
          ...options.env,
        },
        homedir: home,
        streams: { stdout: stdout.stream, stderr: stderr.stream },
        clock,
        hasTerminal: false,
        lock: noLock,
        stsFactory: sts.factory,
        store: async () => store,
        fetch: (async (input: string | URL | Request) => {
          requests.push(new URL(String(input)))
          return new Response(JSON.stringify({ SigninToken: `tok-${requests.length}` }))
        }) as typeof globalThis.fetch,
        openBrowser: async (url) => {
          if (options.openFails) throw new Error('the browser opener exited with 3')
          opened.push(url)
        },
      },
    )
    return { rt, sts, requests, opened, stdout, stderr }
  }

  const base = { mfaToken: '123456', noSession: false, stdout: true }

  it('--stdout prints only the URL; it signs in as the role and opens the region console', async () => {
    const t = setup({ env: { VAULT_FEDERATION_ENDPOINT: 'http://127.0.0.1:9/federation' } })
    await login(t.rt, { ...base, profile: 'saguaro', path: 's3/home' })
    assert.equal(t.stderr.text(), '')
    const lines = t.stdout.text().split('\n')
    assert.equal(lines.length, 2)
    const url = new URL(lines[0])
    assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:9/federation')
    assert.equal(url.searchParams.get('Action'), 'login')
    assert.equal(url.searchParams.get('Issuer'), 'vault')
    assert.equal(
      url.searchParams.get('Destination'),
      'https://us-east-1.console.aws.amazon.com/s3/home?region=us-east-1',
    )
    assert.equal(url.searchParams.get('SigninToken'), 'tok-1')
    // No mfa_serial anywhere: the role is assumed straight from the keys, as aws-vault's
    // canUseGetSessionToken decides ("profile 'saguaro' has no MFA serial defined").
    assert.deepEqual(t.sts.ops(), ['AssumeRole'])
    const session = JSON.parse(t.requests[0].searchParams.get('Session') ?? '')
    assert.deepEqual(session, { sessionId: 'ASIATEMP000000000001', sessionKey: 'secret-1', sessionToken: 'token-1' })
  })

  it('a profile with only keys signs in with a federation token', async () => {
    const t = setup()
    await login(t.rt, { ...base, profile: 'caktus', duration: 5400 })
    // (the shared fake does not record GetCallerIdentity; test/login/console-provider.test.ts checks it)
    assert.deepEqual(t.sts.ops(), ['GetFederationToken'], 'no GetSessionToken')
    assert.equal(t.sts.calls[0].signedWith, longTermKeys.accessKeyId)
    assert.equal(t.sts.calls[0].input.durationSeconds, 5400)
    assert.equal(t.requests[0].searchParams.has('SessionDuration'), false, 'the duration went into the token')
    assert.equal(`${t.requests[0].origin}${t.requests[0].pathname}`, 'https://signin.aws.amazon.com/federation')
    const url = new URL(t.stdout.text().trim())
    assert.equal(
      url.searchParams.get('Destination'),
      'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
    )
  })

  it('--duration on a role assumed straight from the keys sets the console session', async () => {
    const t = setup()
    await login(t.rt, { ...base, profile: 'saguaro', noSession: true, duration: 7200 })
    assert.deepEqual(t.sts.ops(), ['AssumeRole'])
    assert.equal(t.sts.calls[0].input.durationSeconds, 7200)
    assert.equal(t.requests[0].searchParams.get('SessionDuration'), '7200')
  })

  it('uses the partition of the region: aws-cn', async () => {
    const t = setup()
    await login(t.rt, { ...base, profile: 'panda' })
    assert.equal(`${t.requests[0].origin}${t.requests[0].pathname}`, 'https://signin.amazonaws.cn/federation')
    const url = new URL(t.stdout.text().trim())
    assert.equal(`${url.origin}${url.pathname}`, 'https://signin.amazonaws.cn/federation')
    assert.equal(
      url.searchParams.get('Destination'),
      'https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1',
    )
  })

  it('without --stdout, opens the browser and keeps the URL off stdout', async () => {
    const t = setup()
    await login(t.rt, { ...base, profile: 'saguaro', stdout: false })
    assert.equal(t.opened.length, 1)
    assert.equal(new URL(t.opened[0]).searchParams.get('SigninToken'), 'tok-1')
    assert.equal(t.stdout.text(), '')
    assert.equal(t.stderr.text(), 'Opened the AWS console for profile saguaro in your browser\n')
  })

  it('prints the URL on stderr when no browser can be opened', async () => {
    const t = setup({ openFails: true })
    await login(t.rt, { ...base, profile: 'saguaro', stdout: false })
    assert.equal(t.stdout.text(), '')
    const [message, url, end] = t.stderr.text().split('\n')
    assert.equal(
      message,
      'vault: could not open a browser (the browser opener exited with 3); open this URL to sign in:',
    )
    assert.equal(new URL(url).searchParams.get('SigninToken'), 'tok-1')
    assert.equal(end, '')
  })

  // Issue 25: ByteNess aws-vault cli/login.go, --auto-logout (AWS_VAULT_AUTO_LOGOUT): the URL is
  // https://us-east-1.signin.aws.amazon.com/oauth?Action=logout&redirect_uri=<the login URL>.
  describe('--auto-logout (issue 25)', () => {
    it('signs out at us-east-1 first, then redirects to the same login URL', async () => {
      const plain = setup()
      await login(plain.rt, { ...base, profile: 'saguaro' })
      const t = setup()
      await login(t.rt, { ...base, profile: 'saguaro', autoLogout: true })
      const url = new URL(t.stdout.text().trim())
      assert.equal(`${url.origin}${url.pathname}`, 'https://us-east-1.signin.aws.amazon.com/oauth')
      assert.deepEqual([...url.searchParams.keys()], ['Action', 'redirect_uri'])
      assert.equal(url.searchParams.get('Action'), 'logout')
      assert.equal(url.searchParams.get('redirect_uri'), plain.stdout.text().trim())
    })

    it('goes to the browser the same way', async () => {
      const t = setup()
      await login(t.rt, { ...base, profile: 'saguaro', stdout: false, autoLogout: true })
      assert.equal(t.opened.length, 1)
      const signIn = new URL(new URL(t.opened[0]).searchParams.get('redirect_uri') ?? '')
      assert.equal(signIn.searchParams.get('SigninToken'), 'tok-1')
      assert.equal(t.stdout.text(), '')
    })

    it('with VAULT_FEDERATION_ENDPOINT, signs out at /oauth on its origin', async () => {
      const t = setup({ env: { VAULT_FEDERATION_ENDPOINT: 'http://127.0.0.1:9/federation' } })
      await login(t.rt, { ...base, profile: 'saguaro', autoLogout: true })
      const url = new URL(t.stdout.text().trim())
      assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:9/oauth')
      assert.equal(new URL(url.searchParams.get('redirect_uri') ?? '').pathname, '/federation')
    })

    it('refuses aws-cn (no known sign-out there) before asking for a sign-in token', async () => {
      const t = setup()
      await assert.rejects(
        login(t.rt, { ...base, profile: 'panda', autoLogout: true }),
        (err: unknown) =>
          err instanceof UsageError &&
          err.message === '--auto-logout knows no sign-out endpoint for the aws-cn partition',
      )
      assert.equal(t.requests.length, 0)
      assert.equal(t.stdout.text(), '')
    })
  })
})
