import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { CredentialAgent } from '../agent/port.js'
import { agentSocketPath } from '../agent/socket-path.js'
import { handOutLog } from '../audit/log-file.js'
import { logSettings } from '../audit/settings.js'
import { sdkIamFactory } from '../iam/iam-client.js'
import { openInBrowser } from '../login/browser.js'
import {
  type Clock,
  type Env,
  type Logger,
  type Streams,
  silentLogger,
  streamLogger,
  systemClock,
} from '../runtime/types.js'
import type { SessionStore } from '../sessions/session-store.js'
import { sdkSsoPorts } from '../sso/sdk-clients.js'
import type { CredentialStore } from '../stores/credential-store.js'
import type { SecretStore } from '../stores/secret-store.js'
import type { RuntimeOptions } from '../stores/store-settings.js'
import type { Ports } from '../usecases/ports.js'
import type { HandOutSink } from '../vault/hand-out.js'
import { fileLock } from '../vault/locking.js'
import { sdkStsFactory } from '../vault/sts-client.js'

export type { RuntimeOptions } from '../stores/store-settings.js'

/**
 * The composition root's product: every port, built with the real backends. Only bin/, src/cli/,
 * src/commands/, src/fast/entry.ts and this folder name it; a use case names the `Pick` of
 * src/usecases/ports.ts it uses.
 */
export type Runtime = Ports

/**
 * The composition root: the only place that reads process.env, the clock, the platform and the
 * real streams, and the only place that picks real backends. Tests replace any port through
 * `overrides`.
 */
export function createRuntime(options: RuntimeOptions, overrides: Partial<Runtime> = {}): Runtime {
  const env: Env = overrides.env ?? process.env
  const streams = overrides.streams ?? processStreams()
  const log = overrides.log ?? (options.debug ? streamLogger(streams.stderr, true) : silentLogger)
  const home = overrides.homedir ?? env.HOME ?? homedir()
  const platform = overrides.platform ?? process.platform
  const clock = overrides.clock ?? systemClock
  const terminal = lazy(() => overrides.hasTerminal ?? detectTerminal(platform))
  const rt: Runtime = {
    env,
    clock,
    log,
    homedir: home,
    platform,
    streams,
    // Looked up when a prompt is near, not on every run.
    get hasTerminal() {
      return terminal()
    },
    get stdoutIsTerminal() {
      // The fast path's sinks write to fd 1 too, so fd 1 tells, unless a test says otherwise.
      return 'stdoutIsTerminal' in overrides ? overrides.stdoutIsTerminal : stdoutIsCharacterDevice()
    },
    backend: options.backend,
    promptDriver: options.prompt,
    stsFactory: overrides.stsFactory ?? sdkStsFactory,
    iamFactory: overrides.iamFactory ?? sdkIamFactory,
    ssoPorts: overrides.ssoPorts ?? sdkSsoPorts,
    fetch: overrides.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    openBrowser: overrides.openBrowser ?? ((url) => openInBrowser(url, env)),
    sleep: overrides.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    lock: overrides.lock ?? fileLock({ dir: join(home, '.awsvault', 'locks'), log }),
    // rt's passphrase, so one given in `overrides` (the agent's, asked of its client) unlocks it.
    store: overrides.store ?? lazy(() => openStore(options, { env, home, platform, log, streams }, rt)),
    keys: overrides.keys ?? lazy(() => credentialStore(rt)),
    sessions: overrides.sessions ?? lazy(() => sessionStore(rt, log, home)),
    passphrase: overrides.passphrase ?? passphraseSource(env, () => rt.hasTerminal),
    handOuts: overrides.handOuts ?? handOuts(env, home, clock, streams),
    agent: 'agent' in overrides ? overrides.agent : agentPort(options, env, home, log),
  }
  return rt
}

/** A runtime for the agent (src/agent/holder.ts): the root's builder with the agent's own ports fixed. */
export function runtimeFactory(options: RuntimeOptions, fixed: Partial<Runtime> = {}) {
  return (overrides: Partial<Runtime>): Runtime => createRuntime(options, { ...overrides, ...fixed })
}

/** `make()` once, on first call. */
function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined
  return () => {
    made ??= { value: make() }
    return made.value
  }
}

/**
 * process.stdout and process.stderr are built on first access (~1 ms each): a cache hit never
 * touches stderr, and nothing here should build what the command may not use.
 */
function processStreams(): Streams {
  return {
    get stdout() {
      return process.stdout
    },
    get stderr() {
      return process.stderr
    },
  }
}

/** The store picked by --backend / AWS_VAULT_BACKEND (src/stores/backend.ts), loaded on first use. */
async function openStore(
  options: RuntimeOptions,
  at: { env: Env; home: string; platform: NodeJS.Platform; log: Logger; streams: Streams },
  rt: Pick<Runtime, 'passphrase'>,
): Promise<SecretStore> {
  const { chooseBackend, createStore } = await import('../stores/backend.js')
  const where = { env: at.env, homedir: at.home, platform: at.platform, logger: at.log, settings: options.store }
  const name = await chooseBackend(options.backend, { ...where, notify: (line) => at.streams.stderr.write(line) })
  return createStore(name, { ...where, passphrase: (dir) => rt.passphrase(dir) })
}

async function credentialStore(rt: Pick<Runtime, 'store'>): Promise<CredentialStore> {
  const [{ CredentialStore }, store] = await Promise.all([import('../stores/credential-store.js'), rt.store()])
  return new CredentialStore(store)
}

async function sessionStore(rt: Pick<Runtime, 'store'>, log: Logger, home: string): Promise<SessionStore> {
  const [{ SessionStore }, store] = await Promise.all([import('../sessions/session-store.js'), rt.store()])
  return new SessionStore(store, { logger: log, pruneStamp: join(home, '.awsvault', 'session-prune.stamp') })
}

/** Only the file backend ever asks for a passphrase: its module loads when it does. */
function passphraseSource(env: Env, isTTY: () => boolean): (dir: string) => Promise<string> {
  const source = lazy(() =>
    import('../stores/passphrase.js').then(({ passphraseSource }) => passphraseSource({ env, isTTY: isTTY() })),
  )
  return async (dir) => (await source())(dir)
}

/** The audit log: opens nothing until the first hand-out; AWS_VAULT_LOG=off turns it off (src/audit/settings.ts). */
function handOuts(env: Env, home: string, clock: Clock, streams: Streams): HandOutSink {
  return handOutLog({
    settings: () => logSettings(env, home),
    now: () => clock.now(),
    version: vaultVersion,
    warn: (message) => streams.stderr.write(`vault: warning: ${message}\n`),
  })
}

/** vault's version, from package.json (beside dist/ and dist/fast-bundle/ alike). */
function vaultVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** The agent at AWS_VAULT_AGENT_SOCK or its default path; its client (node:net) loads on first use. */
function agentPort(options: RuntimeOptions, env: Env, home: string, log: Logger): CredentialAgent | undefined {
  const socket = agentSocketPath(env, home)
  if (!socket) return undefined
  return {
    async credentials(request, answer) {
      const [{ socketAgent }, { storeIdentity }] = await Promise.all([
        import('../agent/client.js'),
        import('../agent/port.js'),
      ])
      const identity = storeIdentity(options, env, home)
      return socketAgent({ socket, identity, log, pathLog: env.VAULT_PATH_LOG, uid: process.getuid?.() }).credentials(
        request,
        answer,
      )
    },
  }
}

/**
 * fstat rather than tty.isatty: node:tty costs a cache hit a module load. /dev/null is a character
 * device too, which only means no hint for output thrown away.
 */
function stdoutIsCharacterDevice(): boolean {
  try {
    return fstatSync(1).isCharacterDevice()
  } catch {
    return false
  }
}

/** A controlling terminal exists when /dev/tty can be opened (stdio may all be pipes under an SDK). */
function detectTerminal(platform: NodeJS.Platform): boolean {
  if (platform === 'win32') return Boolean(process.stdin.isTTY)
  try {
    // Opening is cheap and is the only reliable test: isatty() on stdio says nothing about /dev/tty.
    closeSync(openSync('/dev/tty', 'r'))
    return true
  } catch {
    return false
  }
}
