import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { makeHome, requireCommand, testKeys, useServices, vault, vaultBin } from './harness.js'
import { openTerminal } from './terminal.js'

/**
 * Issue 23: a fresh headless machine (a server, a container, WSL, CI) has no Secret Service.
 * With no --backend and no AWS_VAULT_BACKEND, vault falls back as aws-vault's keyring library
 * does (pass when set up, else the encrypted file), says so once on stderr, and works.
 */
const notice =
  /vault: note: no Secret Service here \((no D-Bus session bus|nothing provides it on the D-Bus session bus)\); using the encrypted file backend in \S*\/\.awsvault\/keys\. Choose another with --backend or AWS_VAULT_BACKEND\./

/**
 * A session bus with nothing that provides org.freedesktop.secrets. `dbus-daemon --session` reads
 * the system's service directories, where an installed gnome-keyring (as on the test machine) is
 * activatable; a machine without gnome-keyring has none, which this configuration stands for.
 */
async function startPlainBus(dir: string): Promise<{ address: string; stop(): void }> {
  requireCommand('dbus-daemon')
  const socket = join(dir, 'bus')
  const config = join(dir, 'bus.conf')
  await writeFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  )
  const daemon: ChildProcess = spawn('dbus-daemon', ['--config-file', config, '--nofork', '--nopidfile'], {
    stdio: 'ignore',
  })
  const deadline = Date.now() + 20_000
  while (!existsSync(socket)) {
    if (Date.now() > deadline || daemon.exitCode !== null) {
      daemon.kill('SIGKILL')
      throw new Error('e2e: dbus-daemon did not start')
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { address: `unix:path=${socket}`, stop: () => daemon.kill('SIGKILL') }
}

describe('no Secret Service: the fallback backend (issue 23)', () => {
  // moto and the strict STS for exec; no keyring, no D-Bus from the harness.
  const services = useServices({ keyring: false })
  let bus: { address: string; stop(): void } | undefined
  let busDir: string

  before(async () => {
    busDir = join(services().tmp, 'plain-bus')
    await mkdir(busDir, { mode: 0o700 })
    bus = await startPlainBus(busDir)
  })
  after(() => bus?.stop())

  /** A home on a machine with no D-Bus at all, or with the plain bus. */
  async function headlessHome(withBus: boolean) {
    const home = await makeHome(services())
    await home.writeConfig('[profile x]\nregion = us-east-1\n')
    // No DBUS_SESSION_BUS_ADDRESS, and an XDG_RUNTIME_DIR with no bus socket in it.
    const runtimeDir = join(home.dir, 'run')
    await mkdir(runtimeDir, { mode: 0o700 })
    home.env.XDG_RUNTIME_DIR = runtimeDir
    delete home.env.DBUS_SESSION_BUS_ADDRESS
    delete home.env.AWS_VAULT_FILE_DIR // the default place, ~/.awsvault/keys, as the notice says
    if (withBus) home.env.DBUS_SESSION_BUS_ADDRESS = bus?.address as string
    return home
  }

  for (const withBus of [false, true]) {
    const where = withBus ? 'a bus with no Secret Service' : 'no D-Bus at all'
    it(`${where}: add --env, then exec, on the file backend after one notice (passphrase from the environment)`, async () => {
      const home = await headlessHome(withBus)
      const env = { ...home.env, AWS_VAULT_FILE_PASSPHRASE: 'correct horse' }
      const added = await vault(['add', 'x', '--env'], { env: { ...env, ...testKeys } })
      assert.equal(added.code, 0, added.stderr)
      assert.match(added.stderr, notice)
      assert.equal(added.stderr.match(/note:/g)?.length, 1)
      assert.deepEqual(readdirSync(join(home.dir, '.awsvault', 'keys')), ['x'])

      const exec = await vault(['exec', 'x', '--', 'sh', '-c', 'echo "$AWS_ACCESS_KEY_ID"'], { env })
      assert.equal(exec.code, 0, exec.stderr)
      assert.match(exec.stdout, /^ASIA/)
      assert.equal(exec.stderr, '', 'the notice is said once, not on every command')

      // An explicit choice is never overridden.
      const explicit = await vault(['list', '--backend', 'secret-service'], { env })
      assert.equal(explicit.code, 69, explicit.stderr)
      assert.doesNotMatch(explicit.stderr, /note:/)
      const fromEnv = await vault(['list'], { env: { ...env, AWS_VAULT_BACKEND: 'secret-service' } })
      assert.equal(fromEnv.code, 69, fromEnv.stderr)
      await home.cleanup()
    })
  }

  it('no D-Bus: the passphrase typed at a terminal', async () => {
    const home = await headlessHome(false)
    const keys = Object.entries(testKeys)
      .map(([k, v]) => `${k}='${v}'`)
      .join(' ')
    const term = await openTerminal(
      home.dir,
      home.env,
      `env ${keys} ${process.execPath} ${vaultBin} add x --env && ${process.execPath} ${vaultBin} exec x -- sh -c 'test -n "$AWS_SESSION_TOKEN" && echo EXEC-OK'; echo DONE`,
    )
    try {
      await term.waitFor((s) => /Enter passphrase to unlock/.test(s), 30_000)
      term.enter('correct horse')
      await term.waitFor((s) => (s.match(/Enter passphrase to unlock/g)?.length ?? 0) >= 2 || /DONE/.test(s), 30_000)
      // tmux wraps the notice at 200 columns.
      const screen = term.screen()
      assert.match(screen.replace(/\n/g, ''), notice)
      if (!/DONE/.test(screen)) term.enter('correct horse')
      const done = await term.waitFor((s) => /DONE/.test(s), 30_000)
      assert.match(done, /EXEC-OK/)
      assert.equal(done.match(/note:/g)?.length, 1)
    } finally {
      term.close()
    }
    // The key, and the session exec cached, both in the file backend.
    assert.ok(readdirSync(join(home.dir, '.awsvault', 'keys')).includes('x'))
    await home.cleanup()
  })
})
