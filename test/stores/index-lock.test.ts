import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { LockError, StoreError } from '../../src/errors.js'
import { fileIndexLock } from '../../src/stores/index-lock.js'

const root = mkdtempSync(join(tmpdir(), 'vault-index-lock-'))
after(() => rmSync(root, { recursive: true, force: true }))

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
    mkdirSync(`${path}.lock`, { recursive: true }) // as proper-lockfile leaves it while held
    const lock = fileIndexLock({ path, waitMs: 5000 })
    assert.equal(await lock.tryHold(async () => 'ran'), undefined)
    setTimeout(() => rmSync(`${path}.lock`, { recursive: true }), 200)
    const started = Date.now()
    assert.equal(await lock.hold(async () => 'ran'), 'ran')
    assert.ok(Date.now() - started >= 150)
  })

  it('a holder that died (its lock no longer refreshed) is taken over', async () => {
    const path = join(root, 'c', 'store-index')
    mkdirSync(`${path}.lock`, { recursive: true })
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${path}.lock`, old, old)
    assert.equal(await fileIndexLock({ path, waitMs: 1000 }).tryHold(async () => 'ran'), 'ran')
  })

  // Issue 15: a vault killed with -9 inside a lock (a cache miss mid-fetch) made every vault after
  // it wait 10 s for the lock to go stale.
  describe('a holder that is no longer running (issue 15)', () => {
    /** A lock as a holder leaves it: the directory, and a pid file naming `pid`, the lock's inode and host. */
    function leftBy(path: string, pid: number, ino = statSync(`${path}.lock`).ino, host = hostname()) {
      writeFileSync(`${path}.pid`, `${pid} ${ino} ${host}\n`)
    }
    const deadPid = () => {
      const r = spawnSync('true')
      assert.ok(r.pid && r.pid > 0)
      return r.pid as number
    }

    it('is taken over at once, well before its lock goes stale', async () => {
      const path = join(root, 'dead', 'store-index')
      mkdirSync(`${path}.lock`, { recursive: true })
      leftBy(path, deadPid())
      assert.equal(await fileIndexLock({ path, waitMs: 0 }).tryHold(async () => 'ran'), 'ran')
    })

    it('a running holder is waited for', async () => {
      const path = join(root, 'alive', 'store-index')
      mkdirSync(`${path}.lock`, { recursive: true })
      leftBy(path, process.pid)
      assert.equal(await fileIndexLock({ path }).tryHold(async () => 'ran'), undefined)
    })

    it('a pid file of an earlier lock (another inode) or of another host is left to staleness', async () => {
      const path = join(root, 'other', 'store-index')
      mkdirSync(`${path}.lock`, { recursive: true })
      const ino = statSync(`${path}.lock`).ino
      leftBy(path, deadPid(), ino + 1)
      assert.equal(await fileIndexLock({ path }).tryHold(async () => 'ran'), undefined)
      leftBy(path, deadPid(), ino, `not-${hostname()}`)
      assert.equal(await fileIndexLock({ path }).tryHold(async () => 'ran'), undefined)
    })

    it('the holder writes what a waiter needs: its pid, the lock inode, the host, a nonce; and removes it on release', async () => {
      const path = join(root, 'writes', 'store-index')
      const seen: string[] = []
      for (let i = 0; i < 2; i++) {
        await fileIndexLock({ path }).hold(async () => {
          const ino = statSync(`${path}.lock`).ino
          const text = readFileSync(`${path}.pid`, 'utf8')
          assert.match(text, new RegExp(`^${process.pid} ${ino} ${hostname().replace(/\W/g, '\\$&')} [0-9a-z]+\n$`))
          seen.push(text)
        })
        assert.equal(existsSync(`${path}.pid`), false, 'a released lock leaves no pid file')
      }
      assert.notEqual(seen[0], seen[1], 'each holding has its own nonce')
    })

    // Issue 15, found by the stress script: 32 processes on a cold cache made 2 AssumeRole calls.
    // A holder that exited normally left its pid file; the next holder's lock got the same inode
    // (ext4 reuses it at once), and before that holder wrote its own pid file a waiter read the
    // old one, found its pid dead and the inode equal, and removed the live lock.
    it("after a holder's normal exit, the next holder's new lock is never taken for the dead one's", async () => {
      const path = join(root, 'reuse', 'store-index')
      const holder = `
        const { fileIndexLock } = await import(${JSON.stringify(new URL('../../src/stores/index-lock.ts', import.meta.url).href)})
        await fileIndexLock({ path: ${JSON.stringify(path)} }).hold(async () => {})`
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', holder], {
        encoding: 'utf8',
      })
      assert.equal(r.status, 0, r.stderr)
      // The next holder, between its mkdir and its pid file.
      mkdirSync(`${path}.lock`)
      assert.equal(await fileIndexLock({ path }).tryHold(async () => 'ran'), undefined)
      assert.ok(existsSync(`${path}.lock`), 'the live lock is still there')
    })

    it('waiters racing to take over one dead holder: one holds at a time', async () => {
      for (let round = 0; round < 20; round++) {
        const path = join(root, `race-${round}`, 'store-index')
        mkdirSync(`${path}.lock`, { recursive: true })
        leftBy(path, deadPid())
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
    mkdirSync(`${path}.lock`, { recursive: true })
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
