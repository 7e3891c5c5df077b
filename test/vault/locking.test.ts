import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { LockError } from '../../src/errors.js'
import { fileLock, mfaWait } from '../../src/vault/locking.js'
import { memoryLogger } from '../fakes/fakes.js'

const name = 'sts.AssumeRole,saguaro,'

// Two fileLock instances share nothing in memory: they stand for two vault processes.
/**
 * Takes the lock through `lock` and holds it until the function given to `onRelease` is called.
 * `entered` resolves once the lock is held: a fixed sleep was not always enough at load 20, and a
 * waiter that came first took the lock and left the holder holding it for good.
 */
function holding(lock: ReturnType<typeof fileLock>, onRelease: (release: () => void) => void) {
  let entered!: () => void
  const inside = new Promise<void>((r) => (entered = r))
  const done = lock(name, () => {
    entered()
    return new Promise<void>((r) => onRelease(r))
  })
  return { entered: inside, done }
}

describe('cross-process single-flight (issue 6)', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-locks-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('serialises holders of one name, and lets other names run alongside', async () => {
    const a = fileLock({ dir, log: memoryLogger() })
    const b = fileLock({ dir, log: memoryLogger() })
    const events: string[] = []
    const hold = (lock: typeof a, who: string, lockName: string, ms: number) =>
      lock(lockName, async () => {
        events.push(`${who} in`)
        await new Promise((r) => setTimeout(r, ms))
        events.push(`${who} out`)
      })
    await Promise.all([
      hold(a, 'a', name, 150),
      hold(b, 'b', name, 10),
      hold(b, 'c', 'sts.GetSessionToken,caktus,', 10),
    ])
    assert.ok(
      events.indexOf('b in') > events.indexOf('a out') || events.indexOf('a in') > events.indexOf('b out'),
      events.join(','),
    )
    assert.ok(events.indexOf('c out') < events.indexOf('a out'), 'another name does not wait')
  })

  it('in one process, concurrent callers of one name queue instead of contending', async () => {
    const lock = fileLock({ dir, log: memoryLogger() })
    let inside = 0
    let most = 0
    await Promise.all(
      Array.from({ length: 10 }, () =>
        lock(name, async () => {
          most = Math.max(most, ++inside)
          await new Promise((r) => setTimeout(r, 5))
          inside--
        }),
      ),
    )
    assert.equal(most, 1)
  })

  it("a waiter that gives up says so, naming the profile and the holder's pid (issue 15)", async () => {
    const holder = fileLock({ dir, log: memoryLogger() })
    const waiter = fileLock({ dir, log: memoryLogger(), wait: { ...mfaWait, waitMs: 300 } })
    let release!: () => void
    const held = holding(holder, (r) => (release = r))
    await held.entered
    await assert.rejects(
      waiter(name, async () => undefined),
      (err: unknown) =>
        err instanceof LockError &&
        err.message.includes(
          `waiting for the lock for sts.AssumeRole credentials of profile "saguaro", held by vault process ${process.pid}`,
        ),
    )
    release()
    await held.done
  })

  it("a caller's own wait wins: its bound and its advice reach the waiter (an SSO sign-in outlives an MFA prompt)", async () => {
    const holder = fileLock({ dir, log: memoryLogger() })
    const waiter = fileLock({ dir, log: memoryLogger() })
    let release!: () => void
    const held = holding(holder, (r) => (release = r))
    await held.entered
    const started = Date.now()
    await assert.rejects(
      waiter(name, async () => undefined, { waitMs: 300, hint: 'approve it over there' }),
      (err: unknown) => err instanceof LockError && err.hint === 'approve it over there',
    )
    assert.ok(Date.now() - started < mfaWait.waitMs, 'gave up at its own bound, not the default')
    release()
    await held.done
  })

  it('a failing holder releases the lock', async () => {
    const a = fileLock({ dir, log: memoryLogger() })
    const b = fileLock({ dir, log: memoryLogger(), wait: { ...mfaWait, waitMs: 2000 } })
    await assert.rejects(
      a(name, async () => Promise.reject(new Error('sts down'))),
      /sts down/,
    )
    assert.equal(await b(name, async () => 'ok'), 'ok')
  })
})
