import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const INSTALL_HINT = 'apt-get install gnome-keyring dbus-x11 libsecret-tools'
const TOOLS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool']

// A bus with no service directories: nothing is auto-started, so each test decides whether a
// Secret Service exists, and a stray activation can never pick up the real HOME.
const BUS_CONFIG = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
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
    writeFileSync(config, BUS_CONFIG)
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
  }

  /** Start gnome-keyring-daemon and unlock (or create) the login keyring with `password`. */
  async startKeyring(password: string): Promise<void> {
    const daemon = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
      env: this.env,
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    this.daemon = daemon
    daemon.stdin?.end(password)
    for (let i = 0; i < 100; i++) {
      if (this.hasSecretService()) return
      await sleep(50)
    }
    throw new Error('gnome-keyring-daemon did not appear on the bus')
  }

  async stopKeyring(): Promise<void> {
    await stop(this.daemon)
    this.daemon = undefined
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
    await stop(this.daemon)
    await stop(this.bus)
    rmSync(this.home, { recursive: true, force: true })
  }

  private hasSecretService(): boolean {
    const r = spawnSync(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.secrets',
      ],
      { env: this.env, encoding: 'utf8' },
    )
    return r.stdout.includes('boolean true')
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(3000).then(() => child.kill('SIGKILL'))])
}
