// The dialog a credential server falls back on when its terminal is gone (issue 7). It lives in
// src/mfa/; the test sits with the server tests that need it.
import assert from 'node:assert/strict'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { CancelledError } from '../../src/errors.js'
import { guiDriver } from '../../src/mfa/gui-prompt.js'
import { selectMfaSource } from '../../src/mfa/select.js'
import { memoryLogger, mfaSerial } from '../fakes/fakes.js'

const serial = mfaSerial

describe('MFA dialog when there is no terminal (issue 7)', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-gui-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  /** A fake dialog program: records its argv (one per line) and answers with `reply` and `exit`. */
  async function fake(name: string, reply: string, exit = 0): Promise<string> {
    const bin = await mkdtemp(join(dir, `${name}-`))
    const script = `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > "${bin}/argv"\necho '${reply}'\nexit ${exit}\n`
    await writeFile(join(bin, name), script)
    await chmod(join(bin, name), 0o755)
    return bin
  }

  it('uses none without a display, even when zenity is installed', async () => {
    const bin = await fake('zenity', '123456')
    assert.equal(guiDriver({ PATH: bin }, 'linux'), undefined)
    assert.equal(guiDriver({ PATH: bin, DISPLAY: ':0' }, 'linux')?.name, 'zenity')
    assert.equal(guiDriver({ PATH: bin, WAYLAND_DISPLAY: 'wayland-0' }, 'linux')?.name, 'zenity')
    assert.equal(guiDriver({ PATH: '/nonexistent', DISPLAY: ':0' }, 'linux'), undefined)
  })

  it('asks through zenity, then kdialog, and returns the code', async () => {
    const zenity = await fake('zenity', '654321')
    const code = await guiDriver({ PATH: zenity, DISPLAY: ':0' }, 'linux')?.ask(serial, 'caktus')
    assert.equal(code, '654321')
    assert.deepEqual((await readFile(join(zenity, 'argv'), 'utf8')).trim().split('\n'), [
      '--entry',
      '--title=vault',
      `--text=Enter MFA code for ${serial}`,
    ])
    const kdialog = await fake('kdialog', '111222')
    assert.equal(await guiDriver({ PATH: kdialog, DISPLAY: ':0' }, 'linux')?.ask(serial, 'caktus'), '111222')
  })

  // The no-terminal fallback prefers zenity, then kdialog (issue 15: the order was untested).
  it('with both installed, zenity asks and kdialog is not run; with kdialog alone, kdialog asks', async () => {
    const zenity = await fake('zenity', '333444')
    const kdialog = await fake('kdialog', '555666')
    const both = { PATH: `${kdialog}:${zenity}`, DISPLAY: ':0' } // kdialog first on PATH, still second choice
    const driver = guiDriver(both, 'linux')
    assert.equal(driver?.name, 'zenity')
    assert.equal(await driver?.ask(serial, 'caktus'), '333444')
    await assert.rejects(readFile(join(kdialog, 'argv')), { code: 'ENOENT' })
    const alone = guiDriver({ PATH: kdialog, DISPLAY: ':0' }, 'linux')
    assert.equal(await alone?.ask(serial, 'caktus'), '555666')
    assert.deepEqual((await readFile(join(kdialog, 'argv'), 'utf8')).trim().split('\n'), [
      '--title',
      'vault',
      '--inputbox',
      `Enter MFA code for ${serial}`,
    ])
  })

  it('on macOS, passes the text to osascript as an argument, never inside the script', async () => {
    const bin = await fake('osascript', '222333')
    assert.equal(await guiDriver({ PATH: bin }, 'darwin')?.ask(serial, 'caktus'), '222333')
    const argv = (await readFile(join(bin, 'argv'), 'utf8')).trim().split('\n')
    assert.equal(argv.at(-1), `Enter MFA code for ${serial}`)
    assert.ok(
      argv
        .filter((a) => a !== '-e')
        .slice(0, -1)
        .every((line) => !line.includes(serial)),
    )
  })

  it('reports Cancel and a wrong answer clearly', async () => {
    const cancelled = await fake('zenity', '', 1)
    await assert.rejects(guiDriver({ PATH: cancelled, DISPLAY: ':0' }, 'linux')!.ask(serial, 'caktus'), CancelledError)
    const garbage = await fake('zenity', 'abc')
    await assert.rejects(guiDriver({ PATH: garbage, DISPLAY: ':0' }, 'linux')!.ask(serial, 'caktus'), /six-digit/)
  })

  // issue 27: the dialog runs through src/exec/read-output.ts, the one helper runner, so a dialog
  // wrapper that leaves a background child holding its stdout does not keep vault waiting for that
  // child (execFile, used before, waited until the pipe closed); and its stderr is not shown.
  it('returns once the dialog exits, though a child it left behind still holds stdout', async () => {
    const bin = await mkdtemp(join(dir, 'zenity-bg-'))
    const script = `#!/bin/sh\nsleep 600 &\necho $! > "${bin}/pid"\necho 'Gtk-WARNING: no theme' >&2\necho 246810\n`
    await writeFile(join(bin, 'zenity'), script)
    await chmod(join(bin, 'zenity'), 0o755)
    let timer: NodeJS.Timeout | undefined
    try {
      const limit = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('still waiting after 60 s')), 60_000)
      })
      const ask = guiDriver({ PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ':0' }, 'linux')!.ask(serial, 'caktus')
      assert.equal(await Promise.race([ask, limit]), '246810')
    } finally {
      clearTimeout(timer)
      const pid = Number(await readFile(join(bin, 'pid'), 'utf8').catch(() => ''))
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
    }
  })

  it('is the fallback of the terminal driver when there is no terminal', async () => {
    // (No dialog and no terminal gives the usual error at once: see the e2e tests, which run
    // without a controlling terminal; here a developer's terminal would be asked.)
    const bin = await fake('zenity', '987654')
    const log = memoryLogger()
    const mfa = selectMfaSource({
      mfaProcessFor: () => undefined,
      env: { PATH: bin, DISPLAY: ':0' },
      hasTerminal: false,
      platform: 'linux',
      log,
    })
    assert.equal(await mfa({ serial, profile: 'caktus' }), '987654')
    assert.ok(log.lines.includes('profile caktus: no terminal; asking for the MFA code through zenity'))
  })
})
