import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AwsCredentials } from '../../src/aws/credentials.js'
import { CredentialCache } from '../../src/server/credential-cache.js'
import { fixedClock, memoryLogger } from '../fakes/fakes.js'

function setup(windowSeconds = 300) {
  const clock = fixedClock()
  const cache = new CredentialCache({ clock, log: memoryLogger(), windowSeconds, max: 3 })
  let fetches = 0
  const fetch = async (): Promise<AwsCredentials> => {
    fetches += 1
    await new Promise((r) => setTimeout(r, 5))
    return {
      accessKeyId: `ASIA${fetches}`,
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(clock.now().getTime() + 3600_000),
    }
  }
  return { cache, clock, fetch, fetches: () => fetches }
}

describe('server credential cache (issue 7)', () => {
  it('serves cached credentials while they are outside the expiry window', async () => {
    const t = setup()
    assert.equal((await t.cache.get('profile', t.fetch)).accessKeyId, 'ASIA1')
    t.clock.advance(3600 - 301)
    assert.equal((await t.cache.get('profile', t.fetch)).accessKeyId, 'ASIA1')
    assert.equal(t.fetches(), 1)
  })

  it('refetches once the window is reached, before the credentials expire', async () => {
    const t = setup()
    await t.cache.get('profile', t.fetch)
    t.clock.advance(3600 - 300)
    const fresh = await t.cache.get('profile', t.fetch)
    assert.equal(fresh.accessKeyId, 'ASIA2')
    assert.equal(fresh.expiration?.getTime(), t.clock.now().getTime() + 3600_000)
  })

  it('refetches short-lived credentials at half their lifetime, not on every request', async () => {
    const t = setup(900)
    const short = async (): Promise<AwsCredentials> => ({
      ...(await t.fetch()),
      expiration: new Date(t.clock.now().getTime() + 600_000),
    })
    await t.cache.get('profile', short)
    t.clock.advance(299)
    await t.cache.get('profile', short)
    assert.equal(t.fetches(), 1)
    t.clock.advance(1)
    await t.cache.get('profile', short)
    assert.equal(t.fetches(), 2)
  })

  it('makes one fetch however many requests arrive during a refresh', async () => {
    const t = setup()
    await t.cache.get('profile', t.fetch)
    t.clock.advance(3600)
    const all = await Promise.all(Array.from({ length: 200 }, () => t.cache.get('profile', t.fetch)))
    assert.equal(t.fetches(), 2)
    assert.deepEqual(new Set(all.map((c) => c.accessKeyId)), new Set(['ASIA2']))
  })

  it('keeps keys apart, and drops the least recently used beyond max', async () => {
    const t = setup()
    for (const key of ['profile', 'role:a', 'role:b']) await t.cache.get(key, t.fetch)
    await t.cache.get('profile', t.fetch) // most recently used now
    await t.cache.get('role:c', t.fetch) // evicts role:a
    assert.equal(t.fetches(), 4)
    await t.cache.get('profile', t.fetch)
    assert.equal(t.fetches(), 4)
    await t.cache.get('role:a', t.fetch)
    assert.equal(t.fetches(), 5)
  })

  it('rejects every waiter of a failed fetch, and tries again on the next request', async () => {
    const t = setup()
    let fail = true
    const flaky = async () => {
      if (fail) throw new Error('STS is down')
      return t.fetch()
    }
    const results = await Promise.allSettled([t.cache.get('profile', flaky), t.cache.get('profile', flaky)])
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    )
    fail = false
    assert.equal((await t.cache.get('profile', flaky)).accessKeyId, 'ASIA1')
  })
})
