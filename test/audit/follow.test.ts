/** `vault log --follow` through bin/run.js: records appended after it starts are printed (issue 26). */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { buildRecord, recordLine } from '../../src/audit/record.js'
import { sampleHandOut } from './helpers.js'

const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'run.js')

describe('vault log --follow (issue 26)', () => {
  const home = mkdtempSync(join(tmpdir(), 'vault-follow-'))
  after(() => rmSync(home, { recursive: true, force: true }))

  it('prints the records there, then each new one as it is written, whole lines only', async () => {
    const dir = join(home, '.awsvault', 'log')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const file = join(dir, 'handouts.jsonl')
    const line = (pid: number) => recordLine(buildRecord(sampleHandOut({ requester: { pid } }), new Date(), '1'))
    writeFileSync(file, line(1))
    const child = spawn(process.execPath, [bin, 'log', '--json', '--follow'], {
      env: { PATH: process.env.PATH, HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    const pids = () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).requester.pid)
    const until = async (want: number[]) => {
      for (let i = 0; i < 600 && JSON.stringify(pids()) !== JSON.stringify(want); i++)
        await new Promise((r) => setTimeout(r, 100))
      assert.deepEqual(pids(), want)
    }
    try {
      await until([1])
      // Half a record first, as a reader may catch a writer: it is printed once whole.
      const second = line(2)
      appendFileSync(file, second.slice(0, 30))
      await new Promise((r) => setTimeout(r, 1200))
      appendFileSync(file, second.slice(30) + line(3))
      await until([1, 2, 3])
    } finally {
      child.kill()
    }
  })
})
