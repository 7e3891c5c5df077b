import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
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
