import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { silentLogger } from '../../src/runtime/types.js'
import { chooseBackend } from '../../src/stores/backend.js'
import { probeSecretService, secretServiceOnBus } from '../../src/stores/default-backend.js'

// Issue 23: with no Secret Service, the backend aws-vault's keyring library would open.
describe('chooseBackend (issue 23)', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vault-choose-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  function setup(name: string, env: Record<string, string> = {}) {
    const home = join(dir, name)
    mkdirSync(home)
    const lines: string[] = []
    // No session bus: no DBUS_SESSION_BUS_ADDRESS, and an XDG_RUNTIME_DIR without a bus socket.
    const options = {
      env: { XDG_RUNTIME_DIR: home, PATH: '', ...env },
      homedir: home,
      platform: 'linux' as NodeJS.Platform,
      logger: silentLogger,
      notify: (line: string) => lines.push(line),
    }
    return { home, lines, options }
  }

  it('an explicit --backend or AWS_VAULT_BACKEND is never overridden, and nothing is probed', async () => {
    const { lines, options } = setup('explicit', { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' })
    for (const name of ['secret-service', 'keychain', 'pass', 'file']) {
      assert.equal(await chooseBackend(name, options), name)
    }
    assert.deepEqual(lines, [])
  })

  it('macOS and Windows keep their keychain', async () => {
    const { lines, options } = setup('other')
    assert.equal(await chooseBackend(undefined, { ...options, platform: 'darwin' }), 'keychain')
    assert.equal(await chooseBackend(undefined, { ...options, platform: 'win32' }), 'wincred')
    assert.deepEqual(lines, [])
  })

  it('no session bus: the encrypted file, said once', async () => {
    const { home, lines, options } = setup('file')
    assert.equal(await chooseBackend(undefined, options), 'file')
    assert.equal(await chooseBackend('', options), 'file')
    assert.deepEqual(lines, [
      `vault: note: no Secret Service here (no D-Bus session bus); using the encrypted file backend in ${join(home, '.awsvault', 'keys')}. Choose another with --backend or AWS_VAULT_BACKEND.\n`,
    ])
    const stamp = join(home, '.awsvault', 'backend-fallback')
    assert.equal(readFileSync(stamp, 'utf8'), 'file')
    assert.equal(statSync(stamp).mode & 0o777, 0o600)
  })

  it('no session bus, a password store with a .gpg-id and pass on PATH: pass', async () => {
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'pass'), '#!/bin/sh\n')
    chmodSync(join(bin, 'pass'), 0o755)
    const { home, lines, options } = setup('pass', { PATH: bin })
    mkdirSync(join(home, '.password-store'))
    writeFileSync(join(home, '.password-store', '.gpg-id'), 'ABCDEF\n')
    assert.equal(await chooseBackend(undefined, options), 'pass')
    assert.match(lines.join(''), /using the pass backend in .*\.password-store\./)
    // A password store without pass installed is not set up.
    const { options: noPass } = setup('pass-missing', { PATH: join(dir, 'nowhere') })
    assert.equal(await chooseBackend(undefined, { ...noPass, homedir: home }), 'file')
  })

  it('probe: no address is no bus; nothing listening at the address is no bus', async () => {
    assert.equal(await probeSecretService({ XDG_RUNTIME_DIR: dir }, 2000), 'no-bus')
    assert.equal(
      await probeSecretService({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'none')}` }, 2000),
      'no-bus',
    )
  })

  it('a bus once found with a Secret Service is not probed again; another bus is', async () => {
    const memo = join(dir, 'memo', 'secret-service-bus')
    const probed: string[] = []
    const probe = (answer: 'present' | 'no-service') => async (env: Record<string, string | undefined>) => {
      probed.push(env.DBUS_SESSION_BUS_ADDRESS ?? '')
      return answer
    }
    const a = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/a' }
    const b = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/b' }
    assert.equal(await secretServiceOnBus(a, memo, probe('present')), 'present')
    assert.equal(await secretServiceOnBus(a, memo, probe('present')), 'present')
    assert.deepEqual(probed, ['unix:path=/run/a'])
    assert.equal(statSync(memo).mode & 0o777, 0o600)
    // No Secret Service is never remembered: it may be started any time.
    assert.equal(await secretServiceOnBus(b, memo, probe('no-service')), 'no-service')
    assert.equal(await secretServiceOnBus(b, memo, probe('no-service')), 'no-service')
    assert.deepEqual(probed, ['unix:path=/run/a', 'unix:path=/run/b', 'unix:path=/run/b'])
    assert.equal(await secretServiceOnBus({}, memo, probe('present')), 'no-bus')
    assert.equal(probed.length, 3)
  })

  it('probe: an address vault cannot reach itself is left to the keychain', async () => {
    assert.equal(await probeSecretService({ DBUS_SESSION_BUS_ADDRESS: 'tcp:host=localhost,port=1' }, 2000), 'unknown')
  })
})
