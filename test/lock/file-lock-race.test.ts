import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { formatHolder, selfHolder } from '../../src/lock/holder.js'

// Issue 28: single-flight broke after a kill -9 once the dead holder's lock went stale: a waiter
// took the next holder's new lock directory (the same inode on ext4) for the dead one's and
// removed it. The lock module alone, with 8 contenders, had two holders at once in 3 of 40 rounds,
// and one contender failed with ENOENT (exit 69).
//
// Real processes (lock-race-worker.mjs, on dist/: `npm run build` first) contend for one lock per
// round, each taking it twice; one of them is killed with SIGKILL, at a random moment (before its
// first try, waiting, renaming, holding, releasing) or the moment it says it holds. Each round
// starts with what an earlier holder may leave: a holding of a process killed with -9, a holding
// from another host aged past the stale threshold or aging past it during the round, a holding of
// a pid now run by another process, an empty lock directory, a killed contender's draft. A
// kernel-held oracle in each holder counts holders at once.

const ROUNDS = 200
const CONTENDERS = 4
/** Workers started ahead, so a round need not wait for the victim's replacement to load. */
const SPARES = 2
const STALE_MS = 200
const worker = new URL('./lock-race-worker.mjs', import.meta.url).pathname
const root = mkdtempSync(join(tmpdir(), 'vault-lock-race-'))

interface Worker {
  child: ChildProcess
  ready: boolean
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
  const w: Worker = { child, ready: false, lines: [] }
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line === 'ready') w.ready = true
    else w.lines.push(line)
    w.wake?.()
  })
  child.on('exit', () => w.wake?.())
  return w
}

const over = (w: Worker) =>
  w.lines.some((l) => l === 'done' || l.startsWith('error')) || w.child.exitCode !== null || w.child.signalCode !== null

/** Until `test` holds for `w`, or it died; fails past the deadline. */
async function until(w: Worker, test: () => boolean, deadline: number): Promise<void> {
  while (!test() && w.child.exitCode === null && w.child.signalCode === null) {
    assert.ok(Date.now() < deadline, `a contender did not finish within 60 s: ${w.lines.join(' | ')}`)
    await new Promise<void>((r) => {
      w.wake = r
      setTimeout(r, 1000)
    })
  }
}

/** What an earlier holder may leave where this round's lock lives. */
function leave(path: string, kind: number): string {
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
    case 1:
      hold(lock, formatHolder({ ...me, pid: deadPid }), false)
      return 'a holder killed with -9'
    case 2:
      hold(lock, formatHolder({ ...me, host: 'elsewhere' }), true)
      return 'a holder on another host, stale'
    case 3:
      hold(lock, formatHolder({ ...me, host: 'elsewhere' }), false)
      return 'a holder on another host, going stale during the round'
    case 4:
      hold(lock, formatHolder({ ...me, start: '1' }), false)
      return 'a holder whose pid another process runs now'
    case 5:
      mkdirSync(lock, { recursive: true })
      utimesSync(lock, old, old)
      return 'an empty lock directory, stale (a holder killed between its release steps, or an older vault)'
    case 6:
      hold(`${lock}-${me.nonce}`, formatHolder({ ...me, pid: deadPid }), false)
      return "a killed contender's draft"
    default:
      return 'nothing'
  }
}

describe('file lock under kill -9 (issue 28)', { skip: process.platform !== 'linux' && 'needs Linux' }, () => {
  it(`${ROUNDS} rounds of ${CONTENDERS} processes, one killed at random: never two holders, never an error`, async () => {
    for (let i = 0; i < CONTENDERS + SPARES; i++) pool.push(start())
    let holdings = 0
    let killedHolding = 0
    const doubles: string[] = []
    const errors: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const dir = join(root, `round-${round}`)
      mkdirSync(dir)
      const path = join(dir, 'lock')
      const left = leave(path, round % 7)
      const job = { path, times: 2, holdMs: 6, staleMs: STALE_MS, socket: `vault-lock-race-${process.pid}-${round}` }
      const deadline = Date.now() + 60_000
      // The first CONTENDERS workers that have loaded; the others stay spares.
      let contenders: Worker[] = []
      for (;;) {
        contenders = pool.filter((w) => w.ready).slice(0, CONTENDERS)
        if (contenders.length === CONTENDERS) break
        assert.ok(Date.now() < deadline, 'workers did not start within 60 s')
        await new Promise((r) => setTimeout(r, 20))
      }
      for (const w of contenders) {
        w.lines = []
        w.child.stdin?.write(`${JSON.stringify(job)}\n`)
      }
      const victim = contenders[Math.floor(Math.random() * contenders.length)]
      // Every other round the victim dies holding the lock; else at a random moment.
      if (round % 2 === 0)
        await until(victim, () => victim.lines.some((l) => l.startsWith('in')) || over(victim), deadline)
      else await new Promise((r) => setTimeout(r, Math.random() * 80))
      const count = (w: Worker, word: string) => w.lines.filter((l) => l.startsWith(word)).length
      if (count(victim, 'in') > count(victim, 'out')) killedHolding++
      victim.child.kill('SIGKILL')
      pool.splice(pool.indexOf(victim), 1, start())
      for (const w of contenders) await until(w, () => over(w), deadline)
      const where = `round ${round} (left: ${left})`
      if (contenders.some((w) => count(w, 'double') > 0)) doubles.push(where)
      for (const w of contenders) {
        for (const line of w.lines.filter((l) => l.startsWith('error'))) errors.push(`${where}: ${line}`)
        if (w !== victim && !w.lines.includes('done') && count(w, 'error') === 0)
          errors.push(`${where}: a contender did not finish`)
        holdings += count(w, 'in')
      }
    }
    const summary = `${ROUNDS} rounds, ${ROUNDS} kills (${killedHolding} holding), ${holdings} holdings, ${doubles.length} rounds with two holders at once, ${errors.length} contender errors`
    console.log(`# lock race: ${summary}`)
    for (const line of [...doubles, ...errors].slice(0, 10)) console.log(`# ${line}`)
    assert.deepEqual(doubles, [], `two holders at once: ${summary}`)
    assert.deepEqual(errors, [], `contenders failed: ${summary}`)
    assert.ok(holdings >= ROUNDS * (CONTENDERS - 1) * 2, `only ${holdings} holdings`)
    assert.ok(killedHolding >= ROUNDS / 4, `only ${killedHolding} victims died holding the lock`)
  })
})
