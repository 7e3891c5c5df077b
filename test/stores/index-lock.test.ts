import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { LockError, StoreError } from '../../src/errors.js'
import { endHolding } from '../../src/lock/file-lock.js'
import { formatHolder, type Holder, selfHolder } from '../../src/lock/holder.js'
import { fileIndexLock } from '../../src/stores/index-lock.js'

const root = mkdtempSync(join(tmpdir(), 'vault-index-lock-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** A holding as a holder leaves it: `${path}.lock/NONCE` naming `holder`, an hour old when `old`. */
function holding(path: string, holder: Holder, old = false): void {
  rmSync(`${path}.lock`, { recursive: true, force: true })
  mkdirSync(`${path}.lock`, { recursive: true })
  const record = join(`${path}.lock`, holder.nonce)
  writeFileSync(record, formatHolder(holder))
  const then = new Date(Date.now() - 3_600_000)
  if (old) utimesSync(record, then, then)
}

function deadPid(): number {
  const r = spawnSync('true')
  assert.ok(r.pid && r.pid > 0)
  return r.pid as number
}

describe('fileIndexLock', () => {
  it('runs holders one at a time, in order, within a process', async () => {
    const lock = fileIndexLock({ path: join(root, 'a', 'store-index') })
    const log: string[] = []
    await Promise.all(
      [1, 2, 3].map((n) =>
        lock.hold(async () => {
          log.push(`in ${n}`)
          await sleep(10)
          log.push(`out ${n}`)
        }),
      ),
    )
    assert.deepEqual(log, ['in 1', 'out 1', 'in 2', 'out 2', 'in 3', 'out 3'])
  })

  it('another process holding it: tryHold skips, hold waits for its release', async () => {
    const path = join(root, 'b', 'store-index')
    holding(path, selfHolder()) // a running process: this one, outside the lock's in-process queue
    const lock = fileIndexLock({ path, waitMs: 5000 })
    assert.equal(await lock.tryHold(async () => 'ran'), undefined)
    setTimeout(() => rmSync(`${path}.lock`, { recursive: true }), 200)
    const started = Date.now()
    assert.equal(await lock.hold(async () => 'ran'), 'ran')
    assert.ok(Date.now() - started >= 150)
  })

  // Issue 15: a vault killed with -9 inside a lock (a cache miss mid-fetch) made every vault after
  // it wait 10 s for the lock to go stale. Issue 28: the holder is judged by its process, never by
  // an inode, and ending a holding can only end that one.
  describe('a holder that is no longer running (issues 15, 28)', () => {
    it('is taken over at once, well before any stale threshold', async () => {
      const path = join(root, 'dead', 'store-index')
      holding(path, { ...selfHolder(), pid: deadPid() })
      assert.equal(await fileIndexLock({ path, waitMs: 0 }).tryHold(async () => 'ran'), 'ran')
      assert.equal(existsSync(`${path}.lock`), false)
    })

    it('a running holder is waited for, however long since it refreshed its lock', async () => {
      const path = join(root, 'alive', 'store-index')
      holding(path, selfHolder(), true)
      assert.equal(await fileIndexLock({ path, staleMs: 100 }).tryHold(async () => 'ran'), undefined)
    })

    it("a pid now used by another process (another start time) is the dead holder's", async () => {
      const path = join(root, 'reused', 'store-index')
      holding(path, { ...selfHolder(), start: '1' })
      assert.equal(await fileIndexLock({ path, waitMs: 0 }).tryHold(async () => 'ran'), 'ran')
    })

    it('a holder on another host is judged by age: waited for while fresh, taken over once stale', async () => {
      const path = join(root, 'remote', 'store-index')
      holding(path, { ...selfHolder(), host: 'elsewhere', pid: deadPid() })
      assert.equal(await fileIndexLock({ path, staleMs: 60_000 }).tryHold(async () => 'ran'), undefined)
      holding(path, { ...selfHolder(), host: 'elsewhere' }, true)
      assert.equal(await fileIndexLock({ path, staleMs: 60_000 }).tryHold(async () => 'ran'), 'ran')
    })

    it('an empty lock directory (a holder killed between its release steps, an older vault) is free', async () => {
      const path = join(root, 'empty', 'store-index')
      mkdirSync(`${path}.lock`, { recursive: true })
      assert.equal(await fileIndexLock({ path, waitMs: 0 }).tryHold(async () => 'ran'), 'ran')
    })

    it("the holder's record is inside the lock from its first moment; release leaves nothing behind", async () => {
      const path = join(root, 'writes', 'store-index')
      const seen: string[] = []
      for (let i = 0; i < 2; i++) {
        await fileIndexLock({ path }).hold(async () => {
          const [name, ...more] = readdirSync(`${path}.lock`)
          assert.deepEqual(more, [])
          const text = readFileSync(join(`${path}.lock`, name), 'utf8')
          assert.equal(text, formatHolder({ ...selfHolder(), nonce: name }))
          assert.match(text, new RegExp(`^${process.pid} \\d+ `))
          seen.push(name)
        })
        assert.deepEqual(readdirSync(join(root, 'writes')), [], 'no lock, no draft, no pid file')
      }
      assert.notEqual(seen[0], seen[1], 'each holding has its own name')
    })

    // Issue 28: a waiter that had read a dead holding, then found a new holding in its place (the
    // same inode on ext4), removed the new one. Ending a holding names its record.
    it('ending a dead holding never ends the holding that replaced it', async () => {
      const path = join(root, 'replaced', 'store-index')
      const live = selfHolder()
      holding(path, live)
      assert.equal(await endHolding(`${path}.lock`, { ...selfHolder(), pid: deadPid() }), true)
      assert.deepEqual(readdirSync(`${path}.lock`), [live.nonce], 'the live holding is intact')
      assert.equal(await fileIndexLock({ path }).tryHold(async () => 'ran'), undefined)
    })

    it("a dead contender's draft is swept by the next holder; a live one's is kept", async () => {
      const path = join(root, 'drafts', 'store-index')
      const dead = { ...selfHolder(), pid: deadPid() }
      const live = selfHolder()
      for (const h of [dead, live]) {
        mkdirSync(`${path}.lock-${h.nonce}`, { recursive: true })
        writeFileSync(join(`${path}.lock-${h.nonce}`, h.nonce), formatHolder(h))
      }
      await fileIndexLock({ path }).hold(async () => {})
      assert.deepEqual(readdirSync(join(root, 'drafts')), [`store-index.lock-${live.nonce}`])
    })

    it('waiters racing to take over one dead holder: one holds at a time', async () => {
      for (let round = 0; round < 20; round++) {
        const path = join(root, `race-${round}`, 'store-index')
        holding(path, { ...selfHolder(), pid: deadPid() })
        let inside = 0
        let most = 0
        const held = await Promise.all(
          Array.from({ length: 4 }, () =>
            fileIndexLock({ path, waitMs: 0 }).tryHold(async () => {
              most = Math.max(most, ++inside)
              await sleep(50)
              inside--
              return 'ran'
            }),
          ),
        )
        assert.equal(most, 1, `round ${round}: ${most} waiters held the lock at once`)
        assert.ok(held.includes('ran'), `round ${round}: nobody took over`)
      }
    })
  })

  it('gives up after waitMs, so a write never hangs on the index', async () => {
    const path = join(root, 'd', 'store-index')
    holding(path, { ...selfHolder(), host: 'elsewhere' }) // its pid means nothing here
    await assert.rejects(
      fileIndexLock({ path, waitMs: 200 }).hold(async () => 'ran'),
      {
        message:
          /^gave up after 0.2s waiting for the lock for the store index, held by another vault process \(.*store-index\.lock\)$/,
      },
    )
  })

  it("names the holder's pid, and is a LockError (exit 75) (issue 15)", async () => {
    const path = join(root, 'e', 'store-index')
    const holder = fileIndexLock({ path })
    let release!: () => void
    const held = holder.hold(() => new Promise<void>((r) => (release = r)))
    await new Promise((r) => setTimeout(r, 100))
    await assert.rejects(
      fileIndexLock({ path, waitMs: 100 }).hold(async () => 'ran'),
      (err: LockError) => {
        assert.ok(err instanceof LockError)
        assert.equal(err.exitCode, 75)
        assert.match(err.message, new RegExp(`held by vault process ${process.pid} `))
        return true
      },
    )
    release()
    await held
  })

  it('~/.awsvault/locks being a file is one clear StoreError naming it (issue 15)', async () => {
    const locks = join(root, 'f', 'locks')
    mkdirSync(join(root, 'f'))
    writeFileSync(locks, '')
    await assert.rejects(
      fileIndexLock({ path: join(locks, 'store-index') }).hold(async () => 'ran'),
      (err: StoreError) => {
        assert.ok(err instanceof StoreError)
        assert.equal(
          err.message,
          `cannot create the lock directory ${locks}: ${locks} is a file, where vault needs a directory`,
        )
        assert.equal(err.hint, `move ${locks} out of the way`)
        return true
      },
    )
  })
})
