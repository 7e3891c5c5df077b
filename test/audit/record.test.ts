import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildRecord, MAX_RECORD_BYTES, recordLine } from '../../src/audit/record.js'
import { DEFAULT_KEEP, DEFAULT_MAX_BYTES, logFiles, logSettings } from '../../src/audit/settings.js'
import { sampleHandOut, sampleSecrets } from './helpers.js'

const now = new Date('2026-12-06T10:00:00.123Z')

describe('hand-out records (issue 26)', () => {
  it('hold the time, version, kind, profile, chain, steps, masked key, expiry, requester and path', () => {
    const r = buildRecord(sampleHandOut(), now, '1.2.3')
    assert.deepEqual(r, {
      v: 1,
      time: '2026-12-06T10:00:00.123Z',
      vault: '1.2.3',
      kind: 'exec',
      profile: 'saguaro',
      chain: { sourceProfile: 'caktus', roleArn: 'arn:aws:iam::222222222222:role/Dev', roleSessionName: 'alice' },
      steps: [{ kind: 'cache', type: 'sts.AssumeRole', profile: 'saguaro' }],
      accessKeyId: '****************WXYZ',
      expiration: '2026-12-06T12:00:00.000Z',
      requester: { argv0: 'aws', pid: 4242 },
      servedBy: 'direct',
    })
  })

  it('never hold a secret: the line has neither the secret key, the token nor the whole key id', () => {
    const line = recordLine(buildRecord(sampleHandOut(), now, '1'))
    for (const secret of [...Object.values(sampleSecrets), 'ASIAEXAMPLE00000WXYZ']) assert.ok(!line.includes(secret))
  })

  it('are one line, newline-terminated, and stay small however long the command line', () => {
    const huge = sampleHandOut({
      requester: { pid: 1, exe: `/${'x'.repeat(10_000)}`, cmdline: Array.from({ length: 500 }, () => 'y'.repeat(900)) },
    })
    const line = recordLine(buildRecord(huge, now, '1'))
    assert.ok(Buffer.byteLength(line) <= MAX_RECORD_BYTES, `${Buffer.byteLength(line)} bytes`)
    assert.equal(line.indexOf('\n'), line.length - 1)
    assert.equal(JSON.parse(line).requester.pid, 1)
  })

  it('escape newlines in values as JSON does, so a hostile name cannot start a second record', () => {
    const h = sampleHandOut({ requester: { argv0: 'evil\n{"kind":"export"}', pid: 2 } })
    const line = recordLine(buildRecord(h, now, '1'))
    assert.equal(line.split('\n').length, 2)
  })
})

describe('log settings (issue 26)', () => {
  const home = '/home/u'
  const table: Array<[string, Record<string, string>, ReturnType<typeof logSettings>]> = [
    [
      'defaults',
      {},
      { settings: { path: '/home/u/.awsvault/log/handouts.jsonl', maxBytes: DEFAULT_MAX_BYTES, keep: DEFAULT_KEEP } },
    ],
    ['off', { AWS_VAULT_LOG: 'off' }, {}],
    ['OFF, any case', { AWS_VAULT_LOG: 'OFF' }, {}],
    ['0', { AWS_VAULT_LOG: '0' }, {}],
    [
      'a path and bounds',
      { AWS_VAULT_LOG: '/var/log/v.jsonl', AWS_VAULT_LOG_MAX_BYTES: '100000', AWS_VAULT_LOG_KEEP: '2' },
      { settings: { path: '/var/log/v.jsonl', maxBytes: 100000, keep: 2 } },
    ],
  ]
  for (const [name, env, want] of table) it(name, () => assert.deepEqual(logSettings(env, home), want))

  it('a value not understood: the default, and a problem to warn about once', () => {
    const got = logSettings({ AWS_VAULT_LOG: 'relative.jsonl', AWS_VAULT_LOG_KEEP: 'lots' }, home)
    assert.equal(got.settings?.path, '/home/u/.awsvault/log/handouts.jsonl')
    assert.equal(got.settings?.keep, DEFAULT_KEEP)
    assert.match(got.problem ?? '', /AWS_VAULT_LOG must be "off" or an absolute path.*AWS_VAULT_LOG_KEEP must be/)
  })

  it('the files, oldest first', () => {
    assert.deepEqual(logFiles({ path: '/l', keep: 2 }), ['/l.2', '/l.1', '/l'])
  })
})
