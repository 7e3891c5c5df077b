// Issue 13.6: `export --help` promises that credential_process output (--format json) is reused only
// while more than 15 minutes are left, because botocore fetches again inside 15 minutes. This runs
// the export use case over a real session store (in memory), a fixed clock and a recording STS:
// changing the window to 5 minutes fails the first test. Issue 13.1: warnings reach stderr once.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { createRuntime } from '../../src/compose/runtime.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import { exportProfile } from '../../src/usecases/export.js'
import { noLock } from '../../src/vault/provider.js'
import { fixedClock, longTermKeys, mfaSerial, recordingSts, stringSink } from '../fakes/fakes.js'

describe('the expiry window of credentials handed out', () => {
  let home: string
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'vault-window-'))
  })
  afterEach(async () => {
    await rm(home, { recursive: true, force: true })
  })

  async function setup(config: string, keysOf = 'dev') {
    await writeFile(join(home, 'config'), config)
    const clock = fixedClock()
    const sts = recordingSts(clock)
    const stdout = stringSink()
    const stderr = stringSink()
    const store = new MemoryStore([
      {
        key: keysOf,
        data: JSON.stringify({ AccessKeyID: longTermKeys.accessKeyId, SecretAccessKey: longTermKeys.secretAccessKey }),
      },
    ])
    const rt = createRuntime(
      { debug: false },
      {
        env: { HOME: home, AWS_CONFIG_FILE: join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none') },
        homedir: home,
        streams: { stdout: stdout.stream, stderr: stderr.stream },
        clock,
        hasTerminal: false,
        lock: noLock,
        stsFactory: sts.factory,
        store: async () => store,
      },
    )
    const exportAs = (format: 'json' | 'env' | 'export-env', profile = 'dev') =>
      exportProfile(rt, { profile, format, mfaToken: '123456', noSession: false })
    return { clock, sts, stdout, stderr, exportAs }
  }

  const dev = `[profile dev]\nmfa_serial = ${mfaSerial}\n`

  it('--format json (credential_process output): a session with 10 minutes left is not reused', async () => {
    const t = await setup(dev)
    await t.exportAs('json') // a 1 h session
    t.clock.advance(50 * 60)
    await t.exportAs('json')
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'GetSessionToken'], 'inside the 15-minute window: fetched again')
  })

  it('--format json: a session with 16 minutes left is reused', async () => {
    const t = await setup(dev)
    await t.exportAs('json')
    t.clock.advance(44 * 60)
    await t.exportAs('json')
    assert.deepEqual(t.sts.ops(), ['GetSessionToken'])
  })

  it('--format env: the 5-minute AWS_MIN_TTL window applies, so 10 minutes left is reused', async () => {
    const t = await setup(dev)
    await t.exportAs('env')
    t.clock.advance(50 * 60)
    await t.exportAs('env')
    assert.deepEqual(t.sts.ops(), ['GetSessionToken'])
  })

  it('an unused mfa_serial is one `vault: warning:` line on stderr; stdout keeps only the credentials', async () => {
    const t = await setup(
      `[profile caktus]\nmfa_serial = ${mfaSerial}\n[profile caktus-nomfa]\nsource_profile = caktus\n`,
      'caktus',
    )
    await t.exportAs('export-env', 'caktus-nomfa')
    assert.equal(
      t.stderr.text(),
      `vault: warning: profile "caktus" sets mfa_serial, but the credentials for "caktus-nomfa" are made without MFA (profile 'caktus-nomfa' has no MFA serial defined); run with --debug for details\n`,
    )
    assert.match(t.stdout.text(), /^export AWS_ACCESS_KEY_ID=ASIATEMP000000000001$/m)
  })
})
