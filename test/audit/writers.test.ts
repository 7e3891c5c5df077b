/**
 * Real processes writing the hand-out log at once, and one killed with -9 mid-stream (issue 26).
 * The writers run the built writer (dist/), as vault does.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { parseRecords, readLog } from '../../src/audit/read-log.js'
import { logFiles } from '../../src/audit/settings.js'

const writer = resolve(import.meta.dirname, '..', '..', 'dist', 'audit', 'log-file.js')

/** A writer process: WRITER_COUNT records (or forever, with 0) tagged with WRITER_ID in the pid field. */
const script = `
import { handOutLog } from ${JSON.stringify(writer)}
const settings = { path: process.env.LOG_PATH, maxBytes: Number(process.env.LOG_MAX), keep: Number(process.env.LOG_KEEP) }
const log = handOutLog({ settings: () => ({ settings }), now: () => new Date(), version: () => 't',
  warn: (m) => { process.stderr.write(m + '\\n'); process.exit(3) } })
const profile = { name: 'p' + process.env.WRITER_ID, roleArn: 'arn:aws:iam::111111111111:role/' + 'R'.repeat(200) }
const count = Number(process.env.WRITER_COUNT)
for (let i = 0; count === 0 || i < count; i++) {
  await log.record({ kind: 'exec', profile, servedBy: 'direct', steps: [{ kind: 'keys', profile: 'p' }],
    credentials: { accessKeyId: 'ASIAEXAMPLE0000' + String(i).padStart(5, '0'), secretAccessKey: 's' },
    requester: { pid: Number(process.env.WRITER_ID), argv0: String(i) } })
}
`

function writerProcess(env: Record<string, string>) {
  return spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
}

function exited(child: ReturnType<typeof writerProcess>): Promise<{ code: number | null; stderr: string }> {
  let stderr = ''
  child.stderr?.on('data', (d) => {
    stderr += d
  })
  return new Promise((done) => child.on('close', (code) => done({ code, stderr })))
}

describe('concurrent writers of the hand-out log (issue 26)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-writers-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  const runWriters = async (path: string, max: number, keep: number, writers: number, each: number) => {
    const children = Array.from({ length: writers }, (_, id) =>
      exited(
        writerProcess({
          LOG_PATH: path,
          LOG_MAX: String(max),
          LOG_KEEP: String(keep),
          WRITER_ID: String(id),
          WRITER_COUNT: String(each),
        }),
      ),
    )
    for (const r of await Promise.all(children)) assert.equal(r.code, 0, r.stderr)
  }

  /** Every (writer, sequence) pair exactly once, and no line torn or unreadable. */
  const assertAll = (files: string[], writers: number, each: number) => {
    const { records, skipped } = readLog(files)
    assert.deepEqual(skipped, [])
    const seen = new Set(records.map((r) => `${r.requester.pid}/${r.requester.argv0}`))
    assert.equal(records.length, writers * each, 'a record was lost or doubled')
    assert.equal(seen.size, writers * each)
  }

  it('64 processes, one record each: 64 whole records, none torn, none lost', async () => {
    const path = join(dir, 'one', 'h.jsonl')
    await runWriters(path, 1 << 30, 1, 64, 1)
    assertAll([path], 64, 1)
  })

  it('64 processes, 10 records each, rotating every ~16 KiB: every record is in some kept file', async () => {
    const path = join(dir, 'rot', 'h.jsonl')
    // 640 records of ~600 bytes in 16 KiB files: ~25 rotations; keep them all to count them.
    const keep = 200
    await runWriters(path, 16384, keep, 64, 10)
    assertAll(logFiles({ path, keep }), 64, 10)
  })
})

describe('a writer killed with -9 (issue 26)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-kill-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('leaves at most one incomplete last line, and every other line whole', async () => {
    for (let round = 0; round < 3; round++) {
      const path = join(dir, `k${round}.jsonl`)
      const child = writerProcess({
        LOG_PATH: path,
        LOG_MAX: String(1 << 30),
        LOG_KEEP: '1',
        WRITER_ID: '1',
        WRITER_COUNT: '0',
      })
      const done = exited(child)
      // Killed once it is well into writing: a fixed delay would race a loaded machine.
      for (let i = 0; i < 600; i++) {
        await new Promise((r) => setTimeout(r, 50))
        let size = 0
        try {
          size = readFileSync(path).length
        } catch {}
        if (size > 200_000) break
      }
      child.kill('SIGKILL')
      await done
      const { records, skipped } = parseRecords(readFileSync(path, 'utf8'), path)
      assert.ok(records.length > 100, `${records.length} records`)
      assert.ok(skipped.length <= 1, JSON.stringify(skipped))
      assert.ok(skipped.every((s) => s.why === 'incomplete' && s.line === records.length + 1))
    }
  })
})
