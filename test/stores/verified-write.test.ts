import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AwsCredentials } from '../../src/aws/credentials.js'
import { StoreError } from '../../src/errors.js'
import { type KeyWriter, sameKeys, writeVerified } from '../../src/stores/verified-write.js'

const KEYS = { accessKeyId: 'AKIAVERIFIED00000001', secretAccessKey: 'v'.repeat(40) }

/** A store that keeps what it is given, passed through `mangle` (a backend that loses or alters it). */
function store(mangle: (c: AwsCredentials) => AwsCredentials | null = (c) => c): KeyWriter & { written: unknown[] } {
  const items = new Map<string, AwsCredentials | null>()
  const written: unknown[] = []
  return {
    written,
    get: async (p) => items.get(p) ?? null,
    set: async (p, c) => {
      written.push(c)
      items.set(p, mangle(c))
    },
  }
}

const place = { backend: 'the file backend', untouched: 'the source still holds them', rerun: 'vault migrate-backend' }

describe('writeVerified (import, import --from aws-vault, migrate-backend)', () => {
  it('writes the id and secret only, and returns once they read back the same', async () => {
    const s = store()
    await writeVerified(s, 'p', { ...KEYS, sessionToken: 'token' } as AwsCredentials, place)
    assert.deepEqual(s.written, [KEYS])
  })

  it('a write the store lost or altered is a corrupt StoreError naming the profile, escaped, and what to do', async () => {
    for (const mangle of [() => null, (c: AwsCredentials) => ({ ...c, secretAccessKey: 'x' })]) {
      await assert.rejects(writeVerified(store(mangle), 'p\x1b[31m', KEYS, place), (err: unknown) => {
        assert.ok(err instanceof StoreError)
        assert.equal(err.reason, 'corrupt')
        assert.equal(
          err.message,
          'profile "p\\x1b[31m": the keys read back from the file backend differ from those written; the source still holds them',
        )
        assert.equal(err.hint, 'check the file backend, then run vault migrate-backend again')
        return true
      })
    }
  })

  it('sameKeys compares the id and the secret only', () => {
    assert.ok(sameKeys(KEYS, { ...KEYS, sessionToken: 't' } as AwsCredentials))
    assert.ok(!sameKeys(KEYS, { ...KEYS, accessKeyId: 'AKIAOTHER00000000001' }))
  })
})
