import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { deadlines } from '../../src/aws/deadlines.js'
import { type ClientConfig, quietly, sdkCaller, signingKeys } from '../../src/aws/sdk-adapter.js'

// issue 27: the one skeleton of the STS, IAM and SSO adapters.
describe('sdkCaller', () => {
  const place = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' }

  it('imports the SDK and builds the client once, on the first call, with the place and the deadlines', async () => {
    let loads = 0
    const built: ClientConfig[] = []
    const call = sdkCaller(
      async () => {
        loads++
        return { name: 'sdk' }
      },
      (sdk, config) => {
        built.push(config)
        return { sdk, id: built.length }
      },
      place,
      (_op, err) => err as Error,
    )
    assert.equal(loads, 0, 'nothing is loaded before a call')
    const first = await call('A', async ({ sdk, client }) => [sdk.name, client.id])
    const second = await call('B', async ({ client }) => client.id)
    assert.deepEqual([first, second, loads, built.length], [['sdk', 1], 1, 1, 1])
    assert.equal(built[0].region, 'eu-west-1')
    assert.equal(built[0].endpoint, 'http://127.0.0.1:1')
    assert.equal(built[0].maxAttempts, deadlines.maxAttempts)
    assert.equal(built[0].requestHandler.requestTimeout, deadlines.attemptMs)
  })

  it("turns every failure into the service's error, told the operation", async () => {
    const seen: string[] = []
    const call = sdkCaller(
      async () => ({}),
      () => ({}),
      place,
      (op, err) => {
        seen.push(`${op}: ${(err as Error).message}`)
        return new Error(`mapped ${op}`)
      },
    )
    await assert.rejects(
      call('GetUser', async () => {
        throw new Error('boom')
      }),
      /^Error: mapped GetUser$/,
    )
    assert.deepEqual(seen, ['GetUser: boom'])
  })

  it('signingKeys keeps only the key material; quietly restores the variable it sets', () => {
    const keys = { accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't', expiration: new Date() }
    assert.deepEqual(signingKeys(keys), { accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: 't' })
    const key = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'
    const before = process.env[key]
    assert.equal(
      quietly(() => process.env[key]),
      'true',
    )
    assert.equal(process.env[key], before)
  })
})
