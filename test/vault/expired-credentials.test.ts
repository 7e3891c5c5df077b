/**
 * issue 28: credentials that are already expired are refused from every source, not handed out
 * (IAM Identity Center role credentials that expired in 1970 were exported as they were). The
 * check sits in the caching decorator every fetched credential passes through; a queued caller's
 * lock wait is the one the chain chose.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cachedProvider } from '../../src/vault/cached-provider.js'
import type { LockWait, SessionKey } from '../../src/vault/provider.js'
import { noLock } from '../../src/vault/provider.js'
import { fixedClock, longTermKeys, memoryLogger, memorySessions } from '../fakes/fakes.js'

const key: SessionKey = { type: 'sso.GetRoleCredentials', profile: 'dev', mfaSerial: '' }

function world(expiration: Date | undefined, wait?: LockWait) {
  const sessions = memorySessions()
  const waits: Array<LockWait | undefined> = []
  const provider = cachedProvider(
    {
      description: 'SSO GetRoleCredentials for Admin in 111111111111',
      retrieve: async () => ({ ...longTermKeys, sessionToken: 'tok', expiration }),
    },
    {
      cache: sessions,
      key,
      clock: fixedClock(),
      log: memoryLogger(),
      windowSeconds: 300,
      lock: (name, fn, w) => {
        waits.push(w)
        return noLock(name, fn)
      },
      wait,
    },
  )
  return { provider, sessions, waits }
}

describe('expired credentials are refused from any source (issue 28)', () => {
  it('role credentials that expired in 1970: one line, exit 5, nothing cached', async () => {
    const w = world(new Date(0))
    await assert.rejects(w.provider.retrieve(), {
      message:
        'profile "dev": SSO GetRoleCredentials for Admin in 111111111111 returned credentials that expired at 1970-01-01T00:00:00.000Z',
      code: 'ExpiredCredentials',
      exitCode: 5,
    })
    assert.equal(w.sessions.items.size, 0)
  })

  it('an expiration that is no time (Invalid Date) is refused too', async () => {
    const w = world(new Date(Number.NaN))
    await assert.rejects(w.provider.retrieve(), { code: 'InvalidExpiration' })
    assert.equal(w.sessions.items.size, 0)
  })

  it('credentials with life left, and long-term keys with no expiration, pass', async () => {
    assert.equal((await world(new Date('2026-11-21T10:00:00Z')).provider.retrieve()).sessionToken, 'tok')
    assert.equal((await world(undefined).provider.retrieve()).sessionToken, 'tok')
  })

  it('the lock wait the chain chose reaches the lock', async () => {
    const wait = { waitMs: 660_000, hint: 'h' }
    const w = world(new Date('2026-11-21T10:00:00Z'), wait)
    await w.provider.retrieve()
    assert.deepEqual(w.waits, [wait])
  })
})
