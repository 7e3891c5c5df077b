import assert from 'node:assert/strict'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { deadlines, sdkClientOptions } from '../../src/aws/deadlines.js'
import { quietly } from '../../src/aws/sdk-adapter.js'
import { mapIamError } from '../../src/iam/iam-client.js'
import { mapStsError } from '../../src/vault/sts-client.js'

/**
 * The real AWS SDK against a local endpoint that answers badly: the errors it throws are the
 * oracle, so the mapping is checked against what the SDK really does, not a hand-made object.
 */
type Answer = (res: ServerResponse) => void
const answers: Record<string, Answer | undefined> = {
  '/redirect': (res) => {
    res.writeHead(302, { Location: 'https://captive.example.com/login' })
    res.end()
  },
  '/html-503': (res) => {
    res.writeHead(503, { 'Content-Type': 'text/html' })
    res.end('<html>maintenance</html>')
  },
  '/silent': undefined, // accepts the request and never answers
}

describe('AWS SDK failures become one line naming the endpoint (issue 15)', () => {
  const server = createServer((req, res) => answers[(req.url ?? '').replace(/\/$/, '')]?.(res))
  const sockets = new Set<Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  let base = ''
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((r) => server.close(r))
  })

  /** GetCallerIdentity through the SDK with `options`; resolves with what it threw. */
  async function stsFailure(path: string, options = sdkClientOptions()) {
    const sdk = await import('@aws-sdk/client-sts')
    const client = quietly(
      () =>
        new sdk.STSClient({
          region: 'us-east-1',
          endpoint: `${base}${path}`,
          credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
          ...options,
        }),
    )
    try {
      await client.send(new sdk.GetCallerIdentityCommand({}))
    } catch (err) {
      return err
    } finally {
      client.destroy()
    }
    assert.fail('the call succeeded')
  }

  it('an HTTP 302 (a proxy or captive portal) is not "Unknown: Unknown"', async () => {
    const err = await stsFailure('/redirect')
    const mapped = mapStsError('GetSessionToken', err, { region: 'us-east-1', endpoint: `${base}/redirect` })
    assert.equal(
      mapped.message,
      `GetSessionToken: STS at ${base}/redirect answered HTTP 302 (a redirect), which is not an STS response`,
    )
    assert.equal(mapped.code, 'NotAwsResponse')
    assert.match(mapped.hint ?? '', /proxy or captive portal .*HTTPS_PROXY .*AWS_ENDPOINT_URL_STS/)
  })

  it('an HTML 503 is retried and then named with its status', async () => {
    const err = (await stsFailure('/html-503')) as { $metadata: { attempts: number } }
    assert.equal(err.$metadata.attempts, deadlines.maxAttempts, 'a 503 is retried up to maxAttempts')
    const mapped = mapIamError('GetUser', err, { region: 'us-east-1', endpoint: base })
    assert.equal(mapped.message, `GetUser: IAM at ${base} answered HTTP 503, which is not an IAM response`)
    assert.doesNotMatch(mapped.message, /Unknown/)
  })

  it('a silent endpoint: the SDK gives up after maxAttempts × requestTimeout, and the line says what to check', async () => {
    // The shipped deadlines are 10 s × 3; the same options, scaled down, keep this test short.
    const started = Date.now()
    const err = await stsFailure('/silent', sdkClientOptions({ connectMs: 500, attemptMs: 300, maxAttempts: 2 }))
    const took = Date.now() - started
    assert.ok(took >= 600 && took < 5000, `gave up after ${took} ms`)
    const mapped = mapStsError('AssumeRole', err, { region: 'eu-west-1', endpoint: `${base}/silent` })
    assert.equal(mapped.message, `AssumeRole: STS at ${base}/silent did not answer in time (10 s, 3 attempts)`)
    assert.equal(mapped.code, 'NetworkError')
    assert.match(mapped.hint ?? '', /check that .* is the right endpoint and reachable/)
  })

  it('the default endpoint is named when none is configured', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    assert.match(
      mapStsError('GetSessionToken', refused, { region: 'eu-west-1' }).message,
      /sts\.eu-west-1\.amazonaws\.com/,
    )
    assert.match(
      mapStsError('GetSessionToken', refused, { region: 'us-east-1', useGlobalEndpoint: true }).message,
      /https:\/\/sts\.amazonaws\.com/,
    )
    assert.match(
      mapIamError('GetUser', refused, { region: 'cn-north-1' }).message,
      /iam\.cn-north-1\.amazonaws\.com\.cn/,
    )
  })

  it('the shipped deadlines fit the promised 60 s with room for backoff', () => {
    assert.ok(deadlines.maxAttempts * deadlines.attemptMs <= 45_000)
    assert.ok(deadlines.connectMs <= deadlines.attemptMs)
  })
})
