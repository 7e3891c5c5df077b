import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AwsCallError } from '../../src/errors.js'
import { loginUrl, requestSigninToken } from '../../src/login/federation.js'
import { memoryLogger } from '../fakes/fakes.js'

const endpoint = new URL('https://signin.aws.amazon.com/federation')
const credentials = { accessKeyId: 'ASIAROLE000000000001', secretAccessKey: 'role-secret', sessionToken: 'role-token' }

/** A fetch that answers from a table and records each request's query. */
function fakeFetch(answer: (q: URLSearchParams) => { status: number; body: string } | Error) {
  const queries: URLSearchParams[] = []
  const fetch = (async (input: string | URL | Request) => {
    const url = new URL(String(input instanceof Request ? input.url : input))
    queries.push(url.searchParams)
    const a = answer(url.searchParams)
    if (a instanceof Error) throw a
    return new Response(a.body, { status: a.status })
  }) as typeof globalThis.fetch
  return { fetch, queries }
}

describe('the federation endpoint (issue 8)', () => {
  it('sends Action=getSigninToken with the Session JSON, and returns the SigninToken', async () => {
    const f = fakeFetch(() => ({ status: 200, body: '{"SigninToken":"tok-1"}' }))
    const token = await requestSigninToken({ endpoint, credentials, fetch: f.fetch, log: memoryLogger() })
    assert.equal(token, 'tok-1')
    assert.equal(f.queries.length, 1)
    assert.equal(f.queries[0].get('Action'), 'getSigninToken')
    assert.equal(f.queries[0].has('SessionDuration'), false)
    assert.deepEqual(JSON.parse(f.queries[0].get('Session') ?? ''), {
      sessionId: 'ASIAROLE000000000001',
      sessionKey: 'role-secret',
      sessionToken: 'role-token',
    })
  })

  it('sends SessionDuration when asked, and retries without it on HTTP 400 (role chaining)', async () => {
    const f = fakeFetch((q) =>
      q.has('SessionDuration')
        ? { status: 400, body: 'Bad Request' }
        : { status: 200, body: '{"SigninToken":"tok-2"}' },
    )
    const log = memoryLogger()
    const token = await requestSigninToken({ endpoint, credentials, sessionDuration: 7200, fetch: f.fetch, log })
    assert.equal(token, 'tok-2')
    assert.deepEqual(
      f.queries.map((q) => q.get('SessionDuration')),
      ['7200', null],
    )
    assert.ok(log.lines.some((l) => l.includes('HTTP 400 with SessionDuration=7200')))
  })

  it('keeps SessionDuration when AWS accepts it', async () => {
    const f = fakeFetch(() => ({ status: 200, body: '{"SigninToken":"tok-3"}' }))
    await requestSigninToken({ endpoint, credentials, sessionDuration: 43200, fetch: f.fetch, log: memoryLogger() })
    assert.deepEqual(
      f.queries.map((q) => q.get('SessionDuration')),
      ['43200'],
    )
  })

  const failures: Array<[string, () => { status: number; body: string } | Error, RegExp]> = [
    ['HTTP 403', () => ({ status: 403, body: 'denied' }), /refused the sign-in token request \(HTTP 403\)/],
    ['no SigninToken', () => ({ status: 200, body: '{}' }), /answered without a SigninToken/],
    ['not JSON', () => ({ status: 200, body: '<html>' }), /answered without a SigninToken/],
    [
      'network',
      () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      /cannot reach the federation endpoint https:\/\/signin.aws.amazon.com\/federation \(ECONNREFUSED\)/,
    ],
  ]
  for (const [name, answer, message] of failures) {
    it(`fails clearly, without the credentials in the message: ${name}`, async () => {
      const f = fakeFetch(answer)
      await assert.rejects(
        requestSigninToken({ endpoint, credentials, fetch: f.fetch, log: memoryLogger() }),
        (err: AwsCallError) => {
          assert.ok(err instanceof AwsCallError)
          assert.match(err.message, message)
          for (const secret of Object.values(credentials)) assert.ok(!`${err.message} ${err.hint}`.includes(secret))
          return true
        },
      )
    })
  }

  it('builds the login URL with Issuer, Destination and SigninToken', () => {
    const destination = 'https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1'
    const url = new URL(loginUrl(endpoint, destination, 'tok+/='))
    assert.equal(`${url.origin}${url.pathname}`, 'https://signin.aws.amazon.com/federation')
    assert.deepEqual([...url.searchParams.keys()], ['Action', 'Issuer', 'Destination', 'SigninToken'])
    assert.equal(url.searchParams.get('Action'), 'login')
    assert.equal(url.searchParams.get('Issuer'), 'vault')
    assert.equal(url.searchParams.get('Destination'), destination)
    assert.equal(url.searchParams.get('SigninToken'), 'tok+/=')
  })
})
