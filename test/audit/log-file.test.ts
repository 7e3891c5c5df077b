import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { handOutLog } from '../../src/audit/log-file.js'
import { parseRecords, readLog } from '../../src/audit/read-log.js'
import { type LogSettings, logFiles } from '../../src/audit/settings.js'
import { sampleHandOut } from './helpers.js'

function sink(settings: LogSettings | undefined, problem?: string) {
  const warnings: string[] = []
  let n = 0
  const log = handOutLog({
    settings: () => (problem ? { settings, problem } : { settings }),
    now: () => new Date(Date.UTC(2026, 11, 6, 10, 0, 0, n++)),
    version: () => '9.9.9',
    warn: (m) => warnings.push(m),
  })
  return { log, warnings }
}

describe('the hand-out log writer (issue 26)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-log-file-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('appends one whole line per hand-out to a 0600 file in a 0700 directory it makes', async () => {
    const path = join(dir, 'new', 'log', 'handouts.jsonl')
    const { log, warnings } = sink({ path, maxBytes: 1 << 20, keep: 2 })
    await log.record(sampleHandOut())
    await log.record(sampleHandOut({ kind: 'export' }))
    assert.deepEqual(warnings, [])
    assert.equal(statSync(path).mode & 0o777, 0o600)
    assert.equal(statSync(join(dir, 'new', 'log')).mode & 0o777, 0o700)
    const { records, skipped } = parseRecords(readFileSync(path, 'utf8'), path)
    assert.deepEqual(skipped, [])
    assert.deepEqual(
      records.map((r) => [r.kind, r.vault]),
      [
        ['exec', '9.9.9'],
        ['export', '9.9.9'],
      ],
    )
  })

  it('narrows a file made wider by hand back to 0600', async () => {
    const path = join(dir, 'wide.jsonl')
    writeFileSync(path, '', { mode: 0o644 })
    await sink({ path, maxBytes: 1 << 20, keep: 1 }).log.record(sampleHandOut())
    assert.equal(statSync(path).mode & 0o777, 0o600)
  })

  it('rotates at the size limit, keeping the number of old files asked for; vault log reads them all', async () => {
    const path = join(dir, 'rot', 'h.jsonl')
    const settings = { path, maxBytes: 2000, keep: 2 }
    const { log, warnings } = sink(settings)
    for (let i = 0; i < 40; i++) await log.record(sampleHandOut({ requester: { pid: i } }))
    assert.deepEqual(warnings, [])
    for (const f of logFiles(settings)) assert.ok(statSync(f).size <= settings.maxBytes, `${f} is too big`)
    assert.equal(existsSync(`${path}.3`), false)
    const { records, skipped } = readLog(logFiles(settings))
    assert.deepEqual(skipped, [])
    const pids = records.map((r) => r.requester.pid)
    // The newest are kept, in order, without a gap; the oldest went with the third rotation.
    assert.ok(pids.length >= 10 && pids.length < 40, `${pids.length} records kept`)
    assert.deepEqual(
      pids,
      Array.from({ length: pids.length }, (_, i) => 40 - pids.length + i),
    )
  })

  it('a full disk never fails the hand-out: one warning, naming the way to turn the log off', async () => {
    const { log, warnings } = sink({ path: '/dev/full', maxBytes: 1 << 20, keep: 1 })
    await log.record(sampleHandOut())
    await log.record(sampleHandOut())
    assert.deepEqual(warnings, [
      'could not write the hand-out log (/dev/full): ENOSPC; set AWS_VAULT_LOG=off to turn it off',
    ])
  })

  it('an unwritable place (its parent is a file) never fails the hand-out: one warning', async () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, 'x')
    const path = join(file, 'log', 'h.jsonl')
    const { log, warnings } = sink({ path, maxBytes: 1 << 20, keep: 1 })
    await log.record(sampleHandOut())
    await log.record(sampleHandOut())
    assert.equal(warnings.length, 1)
    assert.match(
      warnings[0] ?? '',
      /could not write the hand-out log \(.*a-file\/log\/h\.jsonl\): ENOTDIR; set AWS_VAULT_LOG=off/,
    )
  })

  it('off: nothing is written and nothing said', async () => {
    const { log, warnings } = sink(undefined)
    await log.record(sampleHandOut())
    assert.deepEqual(warnings, [])
  })

  it('a setting not understood is said once, and the log goes on with the default', async () => {
    const path = join(dir, 'problem.jsonl')
    const { log, warnings } = sink({ path, maxBytes: 1 << 20, keep: 1 }, 'AWS_VAULT_LOG_KEEP must be …')
    await log.record(sampleHandOut())
    await log.record(sampleHandOut())
    assert.deepEqual(warnings, ['AWS_VAULT_LOG_KEEP must be …'])
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 3)
  })
})
