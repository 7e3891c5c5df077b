import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { formatHolder, selfHolder } from '../../src/stores/lock-holder.js'

// Issue 28: single-flight broke after a kill -9 once the dead holder's lock went stale. A waiter
// took a new holding for the dead one (same inode on ext4) and removed it: two holders at once in
// 3 of 40 rounds with 8 contenders, and one contender failed with ENOENT (exit 69).
//
// Real processes (lock-race-worker.mjs, on dist/: run `npm run build` first) contend for one lock
// per round; one of them is killed with SIGKILL at a random moment (waiting, renaming, holding,
// releasing), and each round may start with what earlier holders leave: a dead holder's holding,
// a holding from another host that has aged, or will age, past the stale threshold, an empty lock
// directory, a dead contender's draft. A kernel-held oracle in each holder counts holders at once.

const ROUNDS = 200
const CONTENDERS = 8
const STALE_MS = 300
const worker = new URL('./lock-race-worker.mjs', import.meta.url).pathname
const root = mkdtempSync(join(tmpdir(), 'vault-lock-race-'))

interface Worker {
  child: ChildProcess
  lines: string[]
  wake?: () => void
}

const pool: Worker[] = []
after(() => {
  for (const w of pool) w.child.kill('SIGKILL')
  rmSync(root, { recursive: true, force: true })
})

function start(): Worker {
  const child = spawn(process.execPath, [worker], { stdio: ['pipe', 'pipe', 'inherit'] })
  const w: Worker = { child, lines: [] }
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    w.lines.push(line)
    w.wake?.()
  })
  child.on('exit', () => w.wake?.())
  return w
}

/** Until `w` printed `done` or an error, or died. */
async function finished(w: Worker, deadline: number): Promise<void> {
  while (
    !w.lines.some((l) => l === 'done' || l.startsWith('error')) &&
    w.child.exitCode === null &&
    w.child.signalCode === null
  ) {
    assert.ok(Date.now() < deadline, `a contender did not finish within 60 s: ${w.lines.join(' | ')}`)
    await new Promise<void>((r) => {
      w.wake = r
      setTimeout(r, 1000)
    })
  }
}

/** What an earlier holder may leave behind where this round's lock lives. */
function leave(path: string, kind: number) {
  const lock = `${path}.lock`
  const me = selfHolder()
  const deadPid = spawnSync('true').pid as number
  const old = new Date(Date.now() - 60_000)
  const hold = (dir: string, text: string, aged: boolean) => {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, me.nonce), text)
    if (aged) utimesSync(join(dir, me.nonce), old, old)
  }
  switch (kind) {
    case 1: // a holder killed with -9 on this machine
      return hold(lock, formatHolder({ ...me, pid: deadPid }), false)
    case 2: // a holder on another host, not heard of for longer than the threshold
      return hold(lock, formatHolder({ ...me, host: 'elsewhere' }), true)
    case 3: // a holder on another host, silent from now on: it ages past the threshold during the round
      return hold(lock, formatHolder({ ...me, host: 'elsewhere' }), false)
    case 4: // an empty lock directory: a holder killed between its two release steps, or an older vault
      return mkdirSync(lock, { recursive: true })
    case 5: // a contender killed before its rename left its draft
      return hold(`${lock}-${me.nonce}`, formatHolder({ ...me, pid: deadPid }), false)
  }
}

describe('file lock under kill -9 (issue 28)', { skip: process.platform !== 'linux' && 'needs Linux' }, () => {
  it(`${ROUNDS} rounds of ${CONTENDERS} processes, one killed at random: never two holders, never an error`, async () => {
    for (let i = 0; i < CONTENDERS; i++) pool.push(start())
    let holdings = 0
    let kills = 0
    for (let round = 0; round < ROUNDS; round++) {
      const path = join(root, `round-${round}`, 'lock')
      mkdirSync(join(root, `round-${round}`))
      leave(path, round % 6)
      const job = { path, times: 2, holdMs: 8, staleMs: STALE_MS, socket: `vault-lock-race-${process.pid}-${round}` }
      const contenders = [...pool]
      for (const w of contenders) {
        w.lines = []
        w.child.stdin?.write(`${JSON.stringify(job)}\n`)
      }
      await new Promise((r) => setTimeout(r, Math.random() * 100))
      const victim = contenders[Math.floor(Math.random() * contenders.length)]
      victim.child.kill('SIGKILL')
      kills++
      pool.splice(pool.indexOf(victim), 1, start())
      const deadline = Date.now() + 60_000
      for (const w of contenders) await finished(w, deadline)
      for (const w of contenders) {
        const where = `round ${round} (left ${round % 6})`
        if (w.lines.some((l) => l.startsWith('double')))
          console.log(
            contenders
              .flatMap((c) => c.lines.map((l) => `${c === victim ? 'V ' : ''}${l}`))
              .sort((a, b) => Number(a.replace(/^V /, '').split(' ')[1]) - Number(b.replace(/^V /, '').split(' ')[1]))
              .join('\n'),
          )
        assert.equal(w.lines.filter((l) => l.startsWith('double')).length, 0, `${where}: two holders at once`)
        assert.deepEqual(
          w.lines.filter((l) => l.startsWith('error')),
          [],
          `${where}: a contender failed`,
        )
        if (w !== victim) assert.ok(w.lines.includes('done'), `${where}: a contender did not finish`)
        holdings += w.lines.filter((l) => l.startsWith('in')).length
      }
    }
    assert.ok(holdings >= ROUNDS * (CONTENDERS - 1) * 2, `only ${holdings} holdings`)
    console.log(`# lock race: ${ROUNDS} rounds, ${kills} kills, ${holdings} holdings, 0 double holders`)
  })
})
