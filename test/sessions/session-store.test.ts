import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { PRUNE_EVERY_MS, SessionStore } from '../../src/sessions/session-store.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import type { SecretItem, SecretStore } from '../../src/stores/secret-store.js'
import { formatSessionKey } from '../../src/stores/session-key.js'
import type { SessionCache } from '../../src/vault/provider.js'

const NOW = new Date('2024-05-01T12:00:00Z')
const hours = (h: number) => new Date(NOW.getTime() + h * 3600_000)
const MFA = 'arn:aws:iam::123456789012:mfa/me'
const GST = { type: 'sts.GetSessionToken', profile: 'caktus', mfaSerial: MFA }
const ROLE = { type: 'sts.AssumeRole', profile: 'saguaro', mfaSerial: '' }

function session(id: string, expiration: Date) {
  return { accessKeyId: `ASIA${id}`, secretAccessKey: `secret-${id}`, sessionToken: `token-${id}`, expiration }
}

function item(id: typeof GST, creds: ReturnType<typeof session>): SecretItem {
  const data = `{"AccessKeyId":"${creds.accessKeyId}","Expiration":"${creds.expiration.toISOString()}","SecretAccessKey":"${creds.secretAccessKey}","SessionToken":"${creds.sessionToken}"}`
  return { key: formatSessionKey(id, creds.expiration), data }
}

/** A store that logs each call, in order, over a memory store; optionally without entries(). */
function recording(initial: SecretItem[] = [], bulk = true) {
  const memory = new MemoryStore(initial)
  const log: string[] = []
  const logged = <T>(line: string, result: T): T => {
    log.push(line)
    return result
  }
  const store: SecretStore = {
    name: 'recording',
    get: (key) => logged(`get ${key}`, memory.get(key)),
    set: (i) => logged(`set ${i.key}`, memory.set(i)),
    remove: (key) => logged(`remove ${key}`, memory.remove(key)),
    keys: () => logged('keys', memory.keys()),
  }
  if (bulk) Object.assign(store, { entries: () => logged('entries', memory.entries()) })
  return { store, memory, log }
}

describe('SessionStore', () => {
  it('writes aws-vault’s key, data (Go field order, RFC 3339) and label', async () => {
    const memory = new MemoryStore()
    await new SessionStore(memory).set(GST, session('1', new Date('2024-05-01T20:00:00.000Z')), NOW)
    assert.deepEqual(await memory.entries(), [
      {
        key: 'sts.GetSessionToken,Y2FrdHVz,YXJuOmF3czppYW06OjEyMzQ1Njc4OTAxMjptZmEvbWU,1714593600',
        data: '{"AccessKeyId":"ASIA1","Expiration":"2024-05-01T20:00:00Z","SecretAccessKey":"secret-1","SessionToken":"token-1"}',
        label: 'aws-vault session for caktus (expires 2024-05-01T20:00:00Z)',
        description: 'aws-vault session',
      },
    ])
  })

  it('gets the newest unexpired session for the exact type, profile and MFA serial', async () => {
    const memory = new MemoryStore([
      item(GST, session('old', hours(2))),
      item(GST, session('new', hours(8))),
      item(GST, session('gone', hours(-1))),
      item({ ...GST, mfaSerial: '' }, session('nomfa', hours(9))),
      item({ ...GST, type: 'sts.AssumeRole' }, session('role', hours(9))),
    ])
    const store = new SessionStore(memory)
    assert.deepEqual(await store.get(GST, NOW), session('new', hours(8)))
    assert.equal(await store.get(GST, hours(9)), null)
    assert.equal(await store.get({ ...GST, profile: 'other' }, NOW), null)
  })

  it('reads items written by aws-vault (Go time with fractions and offsets)', async () => {
    const key = formatSessionKey(ROLE, hours(1))
    const data =
      '{"AccessKeyId":"ASIAX","Expiration":"2024-05-01T14:00:00.5+01:00","SecretAccessKey":"s","SessionToken":"t"}'
    const store = new SessionStore(new MemoryStore([{ key, data }]))
    assert.deepEqual(await store.get(ROLE, NOW), {
      accessKeyId: 'ASIAX',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date('2024-05-01T13:00:00.500Z'),
    })
  })

  it('skips an unreadable item and falls back to the next newest', async () => {
    const bad = { key: formatSessionKey(GST, hours(8)), data: 'not json' }
    const store = new SessionStore(new MemoryStore([bad, item(GST, session('ok', hours(4)))]))
    assert.equal((await store.get(GST, NOW))?.accessKeyId, 'ASIAok')
  })

  it('lists the backend once per instance, with data, for any number of lookups', async () => {
    const { store, log } = recording([
      item(GST, session('a', hours(8))),
      item(ROLE, session('b', hours(1))),
      { key: 'caktus', data: '{}' },
    ])
    const sessions = new SessionStore(store)
    assert.ok(await sessions.get(GST, NOW))
    assert.ok(await sessions.get(ROLE, NOW))
    assert.equal((await sessions.list()).length, 2)
    await sessions.set(ROLE, session('c', hours(2)), NOW)
    assert.ok(await sessions.get(ROLE, NOW))
    assert.deepEqual(
      log.filter((l) => !l.startsWith('set') && !l.startsWith('remove')),
      ['entries'],
    )
  })

  it('on a backend that cannot list data, reads only the item it returns', async () => {
    const { store, log } = recording([item(GST, session('a', hours(8))), item(ROLE, session('b', hours(1)))], false)
    const sessions = new SessionStore(store)
    await sessions.get(GST, NOW)
    await sessions.get(GST, NOW)
    assert.deepEqual(log, ['keys', `get ${formatSessionKey(GST, hours(8))}`])
  })

  it('a miss re-lists once, so it sees a session another process stored meanwhile', async () => {
    const memory = new MemoryStore()
    const mine = new SessionStore(memory)
    assert.equal(await mine.get(GST, NOW), null)
    await new SessionStore(memory).set(GST, session('theirs', hours(8)), NOW)
    assert.equal((await mine.get(GST, NOW))?.accessKeyId, 'ASIAtheirs')
    assert.equal(memory.calls.entries, 3) // mine, theirs (for pruning), mine again after the miss
  })

  it('writes the new session before removing the one it replaces; prunes expired ones when the stamp is an hour old', async () => {
    const replaced = item(GST, session('old', hours(1)))
    const expired = item(ROLE, session('expired', hours(-1)))
    const other = item(ROLE, session('other', hours(3)))
    const old = { key: 'caktus session (1700000000)', data: '{}' }
    const { store, memory, log } = recording([replaced, expired, other, old, { key: 'caktus', data: '{}' }])
    const dir = mkdtempSync(join(tmpdir(), 'vault-prune-'))
    const pruneStamp = join(dir, '.awsvault', 'session-prune.stamp')
    try {
      const fresh = session('fresh', hours(8))
      await new SessionStore(store, { pruneStamp }).set(GST, fresh, NOW)
      const written = formatSessionKey(GST, fresh.expiration)
      assert.equal(log[1], `set ${written}`)
      assert.deepEqual(
        log.slice(2).sort(),
        [`remove ${expired.key}`, `remove ${old.key}`, `remove ${replaced.key}`].sort(),
      )
      assert.deepEqual((await memory.keys()).sort(), ['caktus', other.key, written].sort())
      assert.equal(statSync(pruneStamp).mtimeMs, NOW.getTime())

      // Within the hour, a write replaces its own identity's session and prunes nothing else.
      const expired2 = item(ROLE, session('expired2', hours(-2)))
      await memory.set(expired2)
      log.length = 0
      const later = new Date(NOW.getTime() + PRUNE_EVERY_MS - 1000)
      const newer = session('newer', hours(9))
      await new SessionStore(store, { pruneStamp }).set(GST, newer, later)
      assert.deepEqual(
        log.filter((l) => l.startsWith('remove')),
        [`remove ${written}`],
      )
      assert.ok(await memory.get(expired2.key))

      // An hour on, the next write prunes again.
      log.length = 0
      await new SessionStore(store, { pruneStamp }).set(
        ROLE,
        session('r', hours(10)),
        new Date(NOW.getTime() + PRUNE_EVERY_MS),
      )
      assert.deepEqual(
        log.filter((l) => l.startsWith('remove')).sort(),
        [`remove ${expired2.key}`, `remove ${other.key}`].sort(),
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('without a stamp a write prunes nothing but its own identity, and a read never removes anything (issue 15)', async () => {
    const expired = item(ROLE, session('expired', hours(-1)))
    const replaced = item(GST, session('old', hours(1)))
    const { store, log } = recording([expired, replaced])
    await new SessionStore(store).get(ROLE, NOW)
    await new SessionStore(store).get(GST, NOW)
    assert.deepEqual(
      log.filter((l) => l.startsWith('remove')),
      [],
    )
    await new SessionStore(store).set(GST, session('fresh', hours(8)), NOW)
    assert.deepEqual(
      log.filter((l) => l.startsWith('remove')),
      [`remove ${replaced.key}`],
    )
  })

  it('a failed prune does not fail the write, and the new session is served', async () => {
    const { store, memory } = recording([item(GST, session('replaced', hours(1)))])
    store.remove = () => Promise.reject(new Error('locked'))
    await new SessionStore(store).set(GST, session('fresh', hours(8)), NOW)
    assert.equal((await new SessionStore(store).get(GST, NOW))?.accessKeyId, 'ASIAfresh')
    assert.ok(await memory.get(formatSessionKey(GST, hours(8))))
  })

  it('removes by identity, by profile, or all, and counts what it removed', async () => {
    const memory = new MemoryStore([
      item(GST, session('1', hours(1))),
      item({ ...GST, type: 'sts.AssumeRole' }, session('2', hours(1))),
      item(ROLE, session('3', hours(1))),
      { key: 'caktus', data: '{}' },
      { key: 'caktus session (1700000000)', data: '{}' },
    ])
    const store = new SessionStore(memory)
    assert.equal(await store.remove(GST), 1)
    assert.equal(await store.removeForProfile('caktus'), 1)
    assert.equal(await store.removeForProfile('caktus'), 0)
    assert.equal(await store.removeAll(), 2)
    assert.deepEqual(await memory.keys(), ['caktus'])
  })

  it('lists parsed keys by profile, then expiry', async () => {
    const store = new SessionStore(
      new MemoryStore([
        item(ROLE, session('r', hours(1))),
        item(GST, session('b', hours(5))),
        item(GST, session('a', hours(2))),
      ]),
    )
    assert.deepEqual(
      (await store.list()).map((k) => [k.type, k.profile, k.mfaSerial, k.expiration.toISOString()]),
      [
        ['sts.GetSessionToken', 'caktus', MFA, hours(2).toISOString()],
        ['sts.GetSessionToken', 'caktus', MFA, hours(5).toISOString()],
        ['sts.AssumeRole', 'saguaro', '', hours(1).toISOString()],
      ],
    )
  })

  it('refuses a session without an expiration', async () => {
    await assert.rejects(
      new SessionStore(new MemoryStore()).set(GST, { accessKeyId: 'A', secretAccessKey: 'S' }, NOW),
      TypeError,
    )
  })

  it('is what the caching provider needs: set, get the newest valid, remove', async () => {
    const cache: SessionCache = new SessionStore(new MemoryStore())
    const key = { type: 'sts.AssumeRole' as const, profile: 'saguaro', mfaSerial: '' }
    await cache.set(key, session('a', hours(1)), NOW)
    await cache.set(key, session('b', hours(2)), NOW)
    assert.equal((await cache.get(key, NOW))?.accessKeyId, 'ASIAb')
    assert.equal(await cache.get(key, hours(3)), null)
    await cache.remove(key)
    assert.equal(await cache.get(key, NOW), null)
  })
})
