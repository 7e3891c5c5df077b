import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { parseRecords, readLog } from '../../src/audit/read-log.js'
import { buildRecord, recordLine } from '../../src/audit/record.js'
import { hasControlCharacter } from '../../src/output/printable.js'
import { filterOf, obtained, renderRow, sinceTime } from '../../src/usecases/log.js'
import { sampleHandOut } from './helpers.js'

const line = (iso: string, extra: Parameters<typeof sampleHandOut>[0] = {}) =>
  recordLine(buildRecord(sampleHandOut(extra), new Date(iso), '1'))

describe('reading the hand-out log (issue 26)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-read-log-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('skips an incomplete last line (a write cut short) and reports it; the whole lines are read', () => {
    const whole = line('2026-12-06T10:00:00Z')
    const got = parseRecords(`${whole}${whole.slice(0, 40)}`, 'f')
    assert.equal(got.records.length, 1)
    assert.deepEqual(got.skipped, [{ file: 'f', line: 2, why: 'incomplete' }])
  })

  it('skips a line that is not a record, and goes on', () => {
    const got = parseRecords(`{"broken\n${line('2026-12-06T10:00:00Z')}`, 'f')
    assert.equal(got.records.length, 1)
    assert.deepEqual(got.skipped, [{ file: 'f', line: 1, why: 'unreadable' }])
  })

  it('reads across rotated files, ordered by time, and a missing file is no error', () => {
    const base = join(dir, 'h.jsonl')
    writeFileSync(`${base}.2`, line('2026-12-06T08:00:00Z'))
    // A writer still holding the file being rotated appends to it after newer ones began: time decides.
    writeFileSync(`${base}.1`, line('2026-12-06T09:00:00Z') + line('2026-12-06T10:30:00Z'))
    writeFileSync(base, line('2026-12-06T10:00:00Z'))
    appendFileSync(base, line('2026-12-06T11:00:00Z'))
    const got = readLog([`${base}.3`, `${base}.2`, `${base}.1`, base])
    assert.deepEqual(
      got.records.map((r) => r.time.slice(11, 16)),
      ['08:00', '09:00', '10:00', '10:30', '11:00'],
    )
  })

  it('filters by --since (a duration or a time), --profile and --kind', () => {
    const now = new Date('2026-12-06T12:00:00Z')
    const records = [
      line('2026-12-06T09:00:00Z'),
      line('2026-12-06T11:30:00Z', { kind: 'export' }),
      line('2026-12-06T11:45:00Z'),
    ].map((l) => JSON.parse(l))
    const times = (f: Parameters<typeof filterOf>[0]) =>
      records.filter(filterOf(f, now)).map((r) => r.time.slice(11, 16))
    assert.deepEqual(times({ since: '1h' }), ['11:30', '11:45'])
    assert.deepEqual(times({ since: '2026-12-06T11:40:00Z' }), ['11:45'])
    assert.deepEqual(times({ since: '1d', kind: 'export' }), ['11:30'])
    assert.deepEqual(times({ profile: 'other' }), [])
    assert.throws(() => filterOf({ kind: 'bogus' }, now), /--kind must be one of exec, export/)
    assert.throws(() => sinceTime('yesterday-ish', now), /--since takes a duration/)
  })

  it('renders a row with control characters escaped', () => {
    const r = JSON.parse(line('2026-12-06T10:00:00Z', { requester: { argv0: 'a\u001b]0;pwned\u0007', pid: 7 } }))
    const row = renderRow(r)
    assert.ok(!hasControlCharacter(row.slice(0, -1)), row)
    assert.match(row, /a\\x1b\]0;pwned\\x07 pid 7/)
    assert.match(row, /\*{16}WXYZ/)
  })

  it('says how the credentials were obtained, newest step first', () => {
    assert.equal(
      obtained(
        [
          { kind: 'keys', profile: 'caktus' },
          { kind: 'call', api: 'GetSessionToken', profile: 'caktus', mfaSerial: 'arn:mfa' },
          { kind: 'call', api: 'AssumeRole', profile: 'saguaro' },
        ],
        'direct',
      ),
      'AssumeRole < GetSessionToken (MFA) < keys of caktus',
    )
    assert.equal(obtained([], 'direct'), 'reused')
  })
})
