// Issue 13.7: AWS_VAULT_PROMPT / --prompt accept every aws-vault prompt driver name (ByteNess
// aws-vault prompt/*.go: terminal, ykman, pass, zenity, kdialog, osascript, wincredui); a driver
// whose program is missing is an error only when a code is actually needed.
import assert from 'node:assert/strict'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MfaError, UsageError } from '../../src/errors.js'
import { promptDrivers, selectMfaSource } from '../../src/mfa/select.js'
import { memoryLogger, mfaSerial } from '../fakes/fakes.js'

const serial = mfaSerial

describe('prompt drivers (issue 13.7)', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-drivers-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  /** A fake program on its own PATH dir: records argv, prints `reply`. */
  async function fake(name: string, reply: string): Promise<string> {
    const bin = await mkdtemp(join(dir, `${name}-`))
    await writeFile(join(bin, name), `#!/bin/sh\nprintf '%s\\n' "$@" > "${bin}/argv"\necho '${reply}'\n`)
    await chmod(join(bin, name), 0o755)
    return bin
  }

  const select = (driver: string, env: Record<string, string> = { PATH: '/nonexistent' }, log = memoryLogger()) =>
    selectMfaSource({ driver, mfaProcessFor: () => undefined, env, hasTerminal: false, platform: 'linux', log })

  it("accepts exactly aws-vault's driver names", () => {
    assert.deepEqual([...promptDrivers].sort(), [
      'kdialog',
      'osascript',
      'pass',
      'terminal',
      'wincredui',
      'ykman',
      'zenity',
    ])
    for (const driver of promptDrivers) assert.doesNotThrow(() => select(driver), driver)
  })

  it('an unknown name is a usage error listing the drivers', () => {
    assert.throws(
      () => select('dialog'),
      (err: unknown) =>
        err instanceof UsageError &&
        /^unknown prompt driver "dialog"$/.test(err.message) &&
        /zenity/.test(err.hint ?? ''),
    )
  })

  for (const driver of ['zenity', 'kdialog', 'osascript'] as const) {
    it(`${driver} not installed: no error until a code is needed, then a clear one`, async () => {
      const mfa = select(driver)
      await assert.rejects(
        mfa({ serial, profile: 'caktus' }),
        (err: unknown) =>
          err instanceof MfaError &&
          err.message ===
            `profile "caktus" needs an MFA code, and the ${driver} prompt driver needs ${driver}, which is not installed`,
      )
    })
    it(`${driver} installed: asks through it`, async () => {
      const bin = await fake(driver, '112233')
      const log = memoryLogger()
      assert.equal(await select(driver, { PATH: bin }, log)({ serial, profile: 'caktus' }), '112233')
      assert.ok(log.lines.includes(`profile caktus: asking for the MFA code through ${driver} (--prompt ${driver})`))
    })
  }

  it('pass: `pass otp SERIAL`, or PASS_OATH_CREDENTIAL_NAME (aws-vault prompt/pass.go)', async () => {
    const bin = await fake('pass', '445566')
    assert.equal(await select('pass', { PATH: bin })({ serial, profile: 'caktus' }), '445566')
    assert.equal(await readFile(join(bin, 'argv'), 'utf8'), `otp\n${serial}\n`)
    await select('pass', { PATH: bin, PASS_OATH_CREDENTIAL_NAME: 'aws/jon' })({ serial, profile: 'caktus' })
    assert.equal(await readFile(join(bin, 'argv'), 'utf8'), 'otp\naws/jon\n')
  })

  it('pass not installed: an install hint, only when a code is needed', async () => {
    await assert.rejects(select('pass')({ serial, profile: 'caktus' }), /^MfaError: the pass prompt driver needs pass/)
  })

  it('wincredui: accepted; an error naming the alternatives when a code is needed', async () => {
    await assert.rejects(
      select('wincredui')({ serial, profile: 'caktus' }),
      /^MfaError: profile "caktus" needs an MFA code, and vault has no wincredui prompt$/,
    )
  })

  it('-t/--mfa-token answers first, whatever the driver', async () => {
    const mfa = selectMfaSource({
      token: '123456',
      driver: 'zenity',
      mfaProcessFor: () => undefined,
      env: { PATH: '/nonexistent' },
      hasTerminal: false,
      platform: 'linux',
      log: memoryLogger(),
    })
    assert.equal(await mfa({ serial, profile: 'caktus' }), '123456')
  })
})
