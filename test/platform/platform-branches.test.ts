import assert from 'node:assert/strict'
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createRuntime } from '../../src/compose/runtime.js'
import { killGroup, ownGroup } from '../../src/exec/process-group.js'
import { guiDriver } from '../../src/mfa/gui-prompt.js'
import { silentLogger } from '../../src/runtime/types.js'
import { ownerOnly } from '../../src/server/peer-uid.js'
import { chooseBackend, createStore, defaultBackend } from '../../src/stores/backend.js'
import { openTerminal } from '../../src/terminal/open.js'
import { subshell } from '../../src/usecases/exec.js'

/**
 * Issue 23: every branch on the platform in src/, run here with the platform injected, so that
 * Linux CI runs the macOS and Windows branches too. CI also runs this folder on macOS and Windows
 * themselves (.github/workflows/ci.yml). Found with `grep -rn platform src/`.
 */
const others: NodeJS.Platform[] = ['linux', 'darwin', 'win32', 'freebsd']

describe('platform branches (issue 23)', () => {
  it('default backend: the platform keychain; Linux and other Unix systems the Secret Service', async () => {
    const want: Record<string, string> = {
      linux: 'secret-service',
      darwin: 'keychain',
      win32: 'wincred',
      freebsd: 'secret-service',
    }
    for (const platform of others) {
      assert.equal(defaultBackend(platform), want[platform])
      const store = createStore(undefined, {
        env: {},
        homedir: '/home/u',
        platform,
        logger: silentLogger,
        passphrase: () => Promise.reject(new Error('unused')),
      })
      assert.equal(store.name, want[platform])
    }
    // Only a Linux-like default probes for a Secret Service: macOS and Windows keep theirs, even
    // with no session bus in sight.
    const notes: string[] = []
    const options = { env: {}, homedir: '/nonexistent', logger: silentLogger, notify: (l: string) => notes.push(l) }
    assert.equal(await chooseBackend(undefined, { ...options, platform: 'darwin' }), 'keychain')
    assert.equal(await chooseBackend(undefined, { ...options, platform: 'win32' }), 'wincred')
    assert.deepEqual(notes, [])
  })

  it('a keychain backend on another platform is refused with what to use instead', () => {
    const base = { env: {}, homedir: '/home/u', logger: silentLogger, passphrase: () => Promise.reject(new Error('x')) }
    assert.throws(
      () => createStore('keychain', { ...base, platform: 'linux' }),
      (e: unknown) =>
        /only available on macOS/.test(String(e)) &&
        (e as { hint?: string }).hint === 'use --backend secret-service, or --backend file',
    )
    assert.throws(() => createStore('wincred', { ...base, platform: 'darwin' }), /only available on Windows/)
    assert.throws(() => createStore('secret-service', { ...base, platform: 'win32' }), /only available on Linux/)
  })

  it('terminal detection: stdin on Windows, /dev/tty elsewhere', () => {
    const rt = (platform: NodeJS.Platform) => createRuntime({ debug: false }, { platform, env: {} })
    assert.equal(rt('win32').hasTerminal, Boolean(process.stdin.isTTY))
    let tty = false
    try {
      closeSync(openSync('/dev/tty', 'r'))
      tty = true
    } catch {}
    if (process.platform !== 'win32') assert.equal(rt('linux').hasTerminal, tty)
  })

  it('the prompt terminal: stdin and stderr on Windows', async () => {
    const t = await openTerminal('win32')
    assert.equal(t.input, process.stdin)
    assert.equal(t.output, process.stderr)
    t.close()
  })

  it('exec with no command: $SHELL, else cmd.exe on Windows, else /bin/sh', () => {
    // aws-vault cli/exec.go: the subshell is $SHELL; vault adds the fallbacks.
    assert.equal(subshell({ SHELL: '/usr/bin/fish' }, 'linux'), '/usr/bin/fish')
    assert.equal(subshell({}, 'win32'), 'cmd.exe')
    assert.equal(subshell({}, 'darwin'), '/bin/sh')
    assert.equal(subshell({}, 'linux'), '/bin/sh')
    assert.equal(subshell({ SHELL: '' }, 'win32'), 'cmd.exe')
  })

  it("the servers' owner check: /proc/net/tcp on Linux; no check where there is no such table", async () => {
    const conn = { remoteAddress: '127.0.0.1', remotePort: 50000, localAddress: '127.0.0.1', localPort: 8080 }
    const reads: string[] = []
    const read = async (path: string) => {
      reads.push(path)
      return ''
    }
    for (const platform of ['darwin', 'win32', 'freebsd'] as NodeJS.Platform[]) {
      assert.equal(await ownerOnly(1000, platform, read)(conn), undefined)
    }
    assert.deepEqual(reads, [])
    assert.match((await ownerOnly(1000, 'linux', read)(conn)) ?? '', /could not tell which user/)
    assert.deepEqual(reads, ['/proc/net/tcp', '/proc/net/tcp6'])
  })

  it('GUI prompt drivers: osascript on macOS; zenity or kdialog only with a display elsewhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vault-gui-'))
    try {
      for (const program of ['osascript', 'zenity']) writeFileSync(join(dir, program), '#!/bin/sh\n', { mode: 0o755 })
      assert.equal(guiDriver({ PATH: dir }, 'darwin')?.name, 'osascript')
      assert.equal(guiDriver({ PATH: dir }, 'linux'), undefined, 'no display, no dialog')
      assert.equal(guiDriver({ PATH: dir, DISPLAY: ':0' }, 'linux')?.name, 'zenity')
      assert.equal(guiDriver({ PATH: dir, WAYLAND_DISPLAY: 'wayland-0' }, 'freebsd')?.name, 'zenity')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('process-group kills: the group on POSIX systems, the child alone on Windows', () => {
    const kills: Array<[number, string]> = []
    const kill = (pid: number, signal: NodeJS.Signals) => void kills.push([pid, signal])
    for (const platform of ['linux', 'darwin'] as NodeJS.Platform[]) {
      assert.deepEqual(ownGroup(platform), { detached: true })
      killGroup(4242, platform, kill)
    }
    assert.deepEqual(ownGroup('win32'), { detached: false })
    killGroup(4242, 'win32', kill)
    assert.deepEqual(kills, [
      [-4242, 'SIGKILL'],
      [-4242, 'SIGKILL'],
      [4242, 'SIGKILL'],
    ])
  })
})
