import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { RESCAN_AFTER_MS, SessionStore } from '../../src/sessions/session-store.js'
import { CredentialStore } from '../../src/stores/credential-store.js'
import { processIndexLock } from '../../src/stores/index-lock.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import type { IndexLock, SecretItem } from '../../src/stores/secret-store.js'
import { formatSessionKey } from '../../src/stores/session-key.js'
import { INDEX_KEY } from '../../src/stores/store-index.js'

const NOW = new Date('2024-05-01T12:00:00Z')
const hours = (h: number) => new Date(NOW.getTime() + h * 3600_000)
const ROLE = { type: 'sts.AssumeRole', profile: 'role', mfaSerial: '' }
const GST = { type: 'sts.GetSessionToken', profile: 'src', mfaSerial: 'arn:aws:iam::1:mfa/me' }
const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

function session(id: string, expiration: Date) {
  return { accessKeyId: `ASIA${id}`, secretAccessKey: `secret-${id}`, sessionToken: `token-${id}`, expiration }
}

/** An item as aws-vault (or a vault without the index) writes it: the index does not name it. */
function foreign(id: typeof ROLE, name: string, expiration: Date): SecretItem {
  const c = session(name, expiration)
  return {
    key: formatSessionKey(id, expiration),
    data: `{"AccessKeyId":"${c.accessKeyId}","Expiration":"${c.expiration.toISOString()}","SecretAccessKey":"${c.secretAccessKey}","SessionToken":"${c.sessionToken}"}`,
  }
}

/** A memory store standing for the OS keychain (listing is costly, so the typed stores index it). */
function keychain(initial: SecretItem[] = [], lock: IndexLock = processIndexLock()) {
  return new MemoryStore(initial, { indexLock: lock })
}

/** `count` profiles with keys and a cached role session each, written through vault. */
async function seeded(count: number) {
  const store = keychain()
  const keys = new CredentialStore(store)
  const sessions = new SessionStore(store)
  await keys.set('src', KEYS)
  await sessions.set(ROLE, session('role', hours(1)), NOW)
  for (let i = 0; i < count; i++) {
    await keys.set(`p${i}`, KEYS)
    await sessions.set({ ...ROLE, profile: `p${i}` }, session(String(i), hours(2)), NOW)
  }
  return store
}

function resetCalls(store: MemoryStore): void {
  for (const k of Object.keys(store.calls)) store.calls[k as keyof typeof store.calls] = 0
}

function index(store: MemoryStore) {
  return store.get(INDEX_KEY).then((item) => JSON.parse(item?.data ?? 'null'))
}

describe('store index (issue 9)', () => {
  it('a cache hit costs the same few round trips with 10 items or 2,000, and never a listing', async () => {
    const costs: Array<Record<string, number>> = []
    for (const count of [5, 1000]) {
      const store = await seeded(count)
      resetCalls(store)
      // What a cache-hit `vault export ROLE` does, in a new process: the chain asks whether the
      // role and its source hold keys, then looks up the role's session.
      const keys = new CredentialStore(store)
      const sessions = new SessionStore(store)
      assert.equal(await keys.has('role'), false)
      assert.equal(await keys.has('src'), true)
      assert.equal((await sessions.get(ROLE, NOW))?.accessKeyId, 'ASIArole')
      costs.push({ ...store.calls })
    }
    assert.deepEqual(costs[0], costs[1])
    // The index, the role's keys (absent) and the session item.
    assert.deepEqual(costs[1], { get: 2, has: 1, set: 0, remove: 0, keys: 0, entries: 0 })
  })

  it('the index names keys and session keys, never a secret, under a key aws-vault skips', async () => {
    const store = await seeded(2)
    const data = (await store.get(INDEX_KEY))?.data ?? ''
    assert.ok(!data.includes(KEYS.secretAccessKey) && !data.includes('secret-') && !data.includes('token-'))
    assert.deepEqual(await new CredentialStore(store).list(), ['p0', 'p1', 'src'])
    assert.deepEqual(
      (await new SessionStore(store).list()).map((s) => s.profile),
      ['p0', 'p1', 'role'],
    )
    // aws-vault's CredentialKeyring.Keys and SessionKeyring.Keys drop `oidc:` keys.
    assert.match(INDEX_KEY, /^oidc:/)
  })

  it('a new session replaces the old one and prunes expired ones (when a prune is due), in the store and the index', async () => {
    const store = keychain()
    const dir = mkdtempSync(join(tmpdir(), 'vault-prune-'))
    after(() => rmSync(dir, { recursive: true, force: true }))
    // The stamp is older than an hour at the third write, so it prunes the expired GST session.
    const sessions = new SessionStore(store, { pruneStamp: join(dir, 'session-prune.stamp') })
    await sessions.set(ROLE, session('old', hours(1)), NOW)
    await sessions.set(GST, session('gst', hours(0.5)), NOW)
    await sessions.set(ROLE, session('new', hours(2)), new Date(hours(1).getTime()))
    const expected = [formatSessionKey(ROLE, hours(2))]
    assert.deepEqual((await index(store)).sessions, expected)
    assert.deepEqual(
      (await store.keys()).filter((k) => k !== INDEX_KEY),
      expected,
    )
  })

  it('no index (a store vault used before, or aws-vault cleared it): list once, then store the index', async () => {
    const store = keychain([{ key: 'src', data: '{}' }, foreign(ROLE, 'av', hours(1))])
    assert.equal((await new SessionStore(store).get(ROLE, NOW))?.accessKeyId, 'ASIAav')
    assert.equal(store.calls.entries, 1)
    assert.deepEqual((await index(store)).profiles, ['src'])
    store.calls.entries = 0
    assert.equal((await new SessionStore(store).get(ROLE, NOW))?.accessKeyId, 'ASIAav')
    assert.equal(await new CredentialStore(store).has('src'), true)
    assert.equal(store.calls.entries, 0)
  })

  it('an unreadable index is rebuilt by the next writer from a full listing', async () => {
    const store = keychain([
      { key: INDEX_KEY, data: 'garbage' },
      { key: 'src', data: '{}' },
      foreign(GST, 'av', hours(1)),
    ])
    await new SessionStore(store).set(ROLE, session('mine', hours(1)), NOW)
    const view = await index(store)
    assert.deepEqual(view.profiles, ['src'])
    assert.deepEqual(view.sessions.sort(), [formatSessionKey(GST, hours(1)), formatSessionKey(ROLE, hours(1))].sort())
  })

  it('a session aws-vault wrote is found by a full listing, then named in the index', async () => {
    const store = await seeded(3)
    await store.set(foreign(GST, 'av', hours(4)))
    resetCalls(store)
    const later = new Date(NOW.getTime() + RESCAN_AFTER_MS + 1000)
    assert.equal((await new SessionStore(store).get(GST, later))?.accessKeyId, 'ASIAav')
    assert.equal(store.calls.entries, 1)
    assert.ok((await index(store)).sessions.includes(formatSessionKey(GST, hours(4))))
    assert.equal((await new SessionStore(store).get(GST, later))?.accessKeyId, 'ASIAav')
    assert.equal(store.calls.entries, 1, 'found through the index the second time')
  })

  it('misses list the store at most once a minute, so a burst of processes lists once', async () => {
    const store = await seeded(3)
    resetCalls(store)
    const later = new Date(NOW.getTime() + RESCAN_AFTER_MS + 1000)
    assert.equal(await new SessionStore(store).get(GST, later), null)
    assert.equal(await new SessionStore(store).get(GST, later), null)
    assert.equal(await new SessionStore(store).get(GST, new Date(later.getTime() + 1000)), null)
    assert.equal(store.calls.entries, 1)
  })

  it('a miss on an index read earlier reads it again: another process stored the session meanwhile', async () => {
    const store = await seeded(1)
    const mine = new SessionStore(store)
    assert.equal(await mine.get(GST, NOW), null)
    await new SessionStore(store).set(GST, session('theirs', hours(8)), NOW)
    assert.equal((await mine.get(GST, NOW))?.accessKeyId, 'ASIAtheirs')
  })

  it('a reader whose index names an item another process pruned reads the index again', async () => {
    const store = await seeded(1)
    const reader = new SessionStore(store)
    assert.equal((await reader.get(ROLE, NOW))?.accessKeyId, 'ASIArole')
    const fresh = new SessionStore(store)
    await fresh.set(ROLE, session('newer', hours(3)), NOW)
    // `reader` still holds the index naming the old item, which the writer has removed.
    assert.equal((await reader.get(ROLE, NOW))?.accessKeyId, 'ASIAnewer')
  })

  it('concurrent writers of different sessions and keys lose no index entry', async () => {
    const store = keychain()
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        await new SessionStore(store).set({ ...ROLE, profile: `r${i}` }, session(String(i), hours(1)), NOW)
        await new CredentialStore(store).set(`k${i}`, KEYS)
      }),
    )
    const view = await index(store)
    assert.equal(view.sessions.length, 40)
    assert.equal(view.profiles.length, 40)
  })

  it('a failed index update: a session write stands (best effort), a key write is taken back (issue 15)', async () => {
    const failing: IndexLock = { hold: () => Promise.reject(new Error('busy')), tryHold: async () => undefined }
    const store = keychain([], failing)
    await new SessionStore(store).set(ROLE, session('kept', hours(1)), NOW)
    assert.ok(await store.get(formatSessionKey(ROLE, hours(1))))
    // No index came to be: lookups list the store.
    assert.equal((await new SessionStore(store).get(ROLE, NOW))?.accessKeyId, 'ASIAkept')
    await assert.rejects(new CredentialStore(store).set('src', KEYS), {
      message: 'keys for profile "src" not stored (nothing stored): busy',
    })
    assert.equal(await store.get('src'), null)
    assert.equal(await new CredentialStore(store).has('src'), false)
  })

  it('keys the index does not name (aws-vault add, on macOS) are found by one targeted read, then named', async () => {
    const store = await seeded(2)
    await store.set({ key: 'av', data: JSON.stringify({ AccessKeyID: KEYS.accessKeyId, SecretAccessKey: 'x' }) })
    resetCalls(store)
    assert.equal(await new CredentialStore(store).has('av'), true)
    assert.ok(store.calls.has > 0)
    assert.ok((await index(store)).profiles.includes('av'))
    assert.equal(store.calls.entries + store.calls.keys, 0)
  })

  it('remove and clear take keys and sessions out of the index too', async () => {
    const store = await seeded(2)
    const keys = new CredentialStore(store)
    assert.equal(await keys.remove('p0'), true)
    assert.equal(await keys.has('p0'), false)
    assert.equal(await new SessionStore(store).removeForProfile('p1'), 1)
    let view = await index(store)
    assert.deepEqual(view.profiles.sort(), ['p1', 'src'])
    assert.deepEqual(view.sessions.length, 2)
    assert.equal(await new SessionStore(store).removeAll(), 2)
    view = await index(store)
    assert.deepEqual(view.sessions, [])
    assert.deepEqual((await store.keys()).sort(), [INDEX_KEY, 'p1', 'src'].sort())
  })

  it('a credential server’s new SessionStore per fetch sees sessions stored since its last fetch', async () => {
    const store = await seeded(1)
    const keys = new CredentialStore(store)
    assert.equal(await keys.has('src'), true)
    assert.equal((await new SessionStore(store).get(GST, NOW))?.accessKeyId, undefined)
    await new SessionStore(keychainView(store)).set(GST, session('other-process', hours(8)), NOW)
    assert.equal((await new SessionStore(store).get(GST, NOW))?.accessKeyId, 'ASIAother-process')
  })
})

/** The same items seen through another process's store object (its own index snapshot). */
function keychainView(store: MemoryStore): MemoryStore {
  return new Proxy(store, {})
}
