import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { checkedSpawn } from '../fakes/checked-spawn.js'

const INSTALL_HINT = 'apt-get install gnome-keyring dbus-x11 libsecret-tools'
const TOOLS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool']

// A bus whose only service directory is the keyring's own, empty until startKeyring: nothing is
// auto-started before that, so each test decides whether a Secret Service exists, and a stray
// activation can never pick up the real HOME.
const busConfig = (
  services: string,
) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>${services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

/**
 * A private D-Bus session, optionally with gnome-keyring's Secret Service on it, in a temp HOME.
 * Missing tools fail the suite with an install hint: these tests must not silently skip.
 */
export class PrivateKeyring {
  readonly home = mkdtempSync(join(tmpdir(), 'vault-keyring-'))
  private readonly services = join(this.home, 'dbus-services')
  private bus?: ChildProcess
  private daemon?: ChildProcess
  address = ''

  static assertTools(): void {
    const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
    if (missing.length) throw new Error(`missing ${missing.join(', ')}; install with: ${INSTALL_HINT}`)
  }

  /** Environment for a child that should use this bus and nothing of the real user's. */
  get env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.home,
      XDG_DATA_HOME: join(this.home, '.local', 'share'),
      XDG_RUNTIME_DIR: this.home,
      DBUS_SESSION_BUS_ADDRESS: this.address,
    }
  }

  async startBus(): Promise<void> {
    PrivateKeyring.assertTools()
    const config = join(this.home, 'bus.conf')
    mkdirSync(this.services, { mode: 0o700 })
    writeFileSync(config, busConfig(this.services))
    const bus = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address=1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    this.bus = bus
    this.address = await new Promise<string>((resolve, reject) => {
      let out = ''
      bus.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (out.includes('\n')) resolve(out.trim())
      })
      bus.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)))
    })
    // The address is all it prints. A service the bus starts inherits this stdout; read on, it would
    // keep the test process alive until that service ended (a restarted keyring outlived its bus
    // at load 16 and held a finished test file for good).
    bus.stdout?.destroy()
  }

  /**
   * Start gnome-keyring-daemon and unlock (or create) the login keyring with `password`.
   *
   * gnome-keyring aborts now and then when many short-lived clients open sessions at once (GNOME
   * gitlab gnome-keyring #190, #196, #199; a glib trap in dmesg, about twice per stress run). On a
   * desktop, systemd starts it again; here the bus does, through an activation file, unlocked with
   * the same password, as the e2e harness's keyring is (test/e2e/harness.ts). Without it, one
   * abort took the Secret Service away from every later test in the file.
   */
  async startKeyring(password: string): Promise<void> {
    const env = this.env
    const restart = join(this.home, 'restart-keyring.sh')
    const exports = ['HOME', 'XDG_DATA_HOME', 'XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS', 'PATH']
      .map((name) => `export ${name}='${env[name]}'\n`)
      .join('')
    writeFileSync(
      restart,
      `#!/bin/sh\nexec </dev/null >/dev/null 2>&1\n${exports}printf '%s' '${password}' | exec gnome-keyring-daemon --unlock --components=secrets --foreground\n`,
      { mode: 0o700 },
    )
    const daemon = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
      env,
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    this.daemon = daemon
    daemon.stdin?.on('error', () => {}) // a daemon that failed at once is reported by the wait below
    daemon.stdin?.end(password)
    for (let i = 0; i < 100; i++) {
      if (this.hasSecretService()) {
        writeFileSync(this.serviceFile, `[D-BUS Service]\nName=org.freedesktop.secrets\nExec=${restart}\n`, {
          mode: 0o600,
        })
        this.reloadBus()
        return
      }
      await sleep(50)
    }
    throw new Error('gnome-keyring-daemon did not appear on the bus')
  }

  /** Stop the keyring for good: no restart, whichever daemon (first or restarted) holds the name. */
  async stopKeyring(): Promise<void> {
    rmSync(this.serviceFile, { force: true })
    this.reloadBus()
    const owner = this.ownerPid()
    const first = this.daemon?.pid
    await stop(this.daemon)
    this.daemon = undefined
    if (owner !== undefined && owner !== first) {
      try {
        process.kill(owner, 'SIGTERM')
      } catch {}
      for (let i = 0; i < 60 && this.hasSecretService(); i++) await sleep(50)
    }
  }

  /** Freeze the daemon, as a hung keyring would be. */
  freezeKeyring(frozen: boolean): void {
    this.daemon?.kill(frozen ? 'SIGSTOP' : 'SIGCONT')
  }

  secretTool(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('secret-tool', args, { env: this.env, encoding: 'utf8', timeout: 10_000 })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  async close(): Promise<void> {
    this.freezeKeyring(false)
    // Nothing is started again from here on: a call still in flight could otherwise have the bus
    // start a keyring while it stops.
    if (this.bus && this.bus.exitCode === null) {
      rmSync(this.serviceFile, { force: true })
      this.reloadBus()
    }
    await stop(this.daemon)
    await stop(this.bus)
    // A daemon the bus restarted is not our child, and may have lost its bus before it owned a
    // name: found by this HOME in its environment, and ended, or it lives on and may write into
    // HOME after HOME is removed.
    for (const pid of keyringsOf(this.home)) {
      try {
        process.kill(pid, 'SIGTERM')
        for (let i = 0; i < 60; i++) {
          process.kill(pid, 0)
          await sleep(50)
        }
        process.kill(pid, 'SIGKILL')
      } catch {}
    }
    rmSync(this.home, { recursive: true, force: true })
  }

  private get serviceFile(): string {
    return join(this.services, 'org.freedesktop.secrets.service')
  }

  /** dbus-daemon rereads its service directory (it watches it too, but not synchronously). */
  private reloadBus(): void {
    checkedSpawn('reloading the bus configuration', 'dbus-send', this.busArgs('org.freedesktop.DBus.ReloadConfig'), {
      env: this.env,
    })
  }

  /**
   * The pid of the process that owns org.freedesktop.secrets, if any. The bus answers an error
   * when no one owns the name, so a failed call is an answer here ("none"), not a setup failure.
   */
  private ownerPid(): number | undefined {
    const r = spawnSync(
      'dbus-send',
      this.busArgs('org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.freedesktop.secrets'),
      { env: this.env, encoding: 'utf8', timeout: 10_000 },
    )
    const pid = /uint32 (\d+)/.exec(r.stdout ?? '')?.[1]
    return pid ? Number(pid) : undefined
  }

  private busArgs(method: string, ...args: string[]): string[] {
    return ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', method, ...args]
  }

  private hasSecretService(): boolean {
    const out = checkedSpawn(
      'asking the bus whether the Secret Service is up',
      'dbus-send',
      this.busArgs('org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'),
      { env: this.env },
    )
    return out.includes('boolean true')
  }
}

/** The gnome-keyring-daemon processes whose HOME is `home`, and the shells of its restart script. */
function keyringsOf(home: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8')
        if (cmd.includes(join(home, 'restart-keyring.sh'))) return true
        const env = readFileSync(`/proc/${p}/environ`, 'utf8').split('\0')
        return env.includes(`HOME=${home}`) && cmd.includes('gnome-keyring-daemon')
      } catch {
        return false
      }
    })
    .map(Number)
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  // Unreferenced: once the child has exited, the timer must not hold the test process for 3 s.
  await Promise.race([exited, sleep(3000, undefined, { ref: false }).then(() => child.kill('SIGKILL'))])
}
