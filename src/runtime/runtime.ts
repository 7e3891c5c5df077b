import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { CredentialAgent } from '../agent/port.js'
import { agentSocketPath } from '../agent/socket-path.js'
import { handOutLog } from '../audit/log-file.js'
import { logSettings } from '../audit/settings.js'
import { sdkIamFactory } from '../iam/iam-client.js'
import type { IamFactory } from '../iam/iam-port.js'
import { openInBrowser } from '../login/browser.js'
import type { SessionStore } from '../sessions/session-store.js'
import { sdkSsoPorts } from '../sso/sdk-clients.js'
import type { SsoPorts } from '../sso/sso-port.js'
import type { CredentialStore } from '../stores/credential-store.js'
import type { SecretStore } from '../stores/secret-store.js'
import type { StoreSettings } from '../stores/store-settings.js'
import type { HandOutSink } from '../vault/hand-out.js'
import { fileLock } from '../vault/locking.js'
import type { LockFn } from '../vault/provider.js'
import { sdkStsFactory } from '../vault/sts-client.js'
import type { StsFactory } from '../vault/sts-port.js'
import { type Clock, type Env, type Logger, type Streams, silentLogger, streamLogger, systemClock } from './types.js'

export interface RuntimeOptions {
  backend?: string
  debug: boolean
  prompt?: string
  /** --file-dir, --pass-dir, …; omitted, the store reads aws-vault's variables itself. */
  store?: StoreSettings
}

/**
 * The composition root: the only place that reads process.env, the clock, the platform and the
 * real streams, and the only place that picks real backends. Use cases receive a Runtime (or the
 * parts of it they need); tests build one with fakes through `overrides`.
 */
export interface Runtime {
  readonly env: Env
  readonly clock: Clock
  readonly log: Logger
  readonly homedir: string
  readonly platform: NodeJS.Platform
  readonly streams: Streams
  /** True when a controlling terminal can be opened for prompts. */
  readonly hasTerminal: boolean
  /** Whether stdout is a terminal (false for a pipe, a file or `$(…)`); undefined when unknown. */
  readonly stdoutIsTerminal?: boolean
  readonly backend?: string
  readonly promptDriver?: string
  readonly stsFactory: StsFactory
  readonly iamFactory: IamFactory
  /** SSO OIDC and portal clients (IAM Identity Center). */
  readonly ssoPorts: SsoPorts
  /** HTTP for the console sign-in federation endpoint. */
  readonly fetch: typeof globalThis.fetch
  /** Opens a URL in the default browser; rejects when none could be opened. */
  openBrowser(url: string): Promise<void>
  /** Waits, e.g. between retries while a new IAM key propagates. */
  sleep(ms: number): Promise<void>
  /** Cross-process single-flight for credential fetches. */
  readonly lock: LockFn
  /** The secret store picked by --backend / AWS_VAULT_BACKEND, built on first use. */
  store(): Promise<SecretStore>
  /** Long-term keys, on store(). */
  keys(): Promise<CredentialStore>
  /** Cached STS sessions, on store(). One instance per invocation: it lists the store once. */
  sessions(): Promise<SessionStore>
  /** The file backend's passphrase for `dir` (AWS_VAULT_FILE_PASSPHRASE, else a prompt). */
  passphrase(dir: string): Promise<string>
  /** Where every hand-out of credentials is reported (the audit log); see src/vault/hand-out.ts. */
  readonly handOuts: HandOutSink
  /** The running agent (src/agent/), asked first for credentials; undefined: none is configured. */
  readonly agent?: CredentialAgent
}

export function createRuntime(options: RuntimeOptions, overrides: Partial<Runtime> = {}): Runtime {
  const env: Env = overrides.env ?? process.env
  // process.stdout and process.stderr are built on first access (~1 ms each): a cache hit never
  // touches stderr, and nothing here should build what the command may not use.
  const streams = overrides.streams ?? {
    get stdout() {
      return process.stdout
    },
    get stderr() {
      return process.stderr
    },
  }
  const log = overrides.log ?? (options.debug ? streamLogger(streams.stderr, true) : silentLogger)
  const home = overrides.homedir ?? env.HOME ?? homedir()
  const platform = overrides.platform ?? process.platform
  let terminal = overrides.hasTerminal
  let storePromise: Promise<SecretStore> | undefined
  let keysPromise: Promise<CredentialStore> | undefined
  let sessionsPromise: Promise<SessionStore> | undefined
  // Only the file backend ever asks for a passphrase: load its module when it does.
  let passphraseSource: Promise<(dir: string) => Promise<string>> | undefined
  const passphrase = async (dir: string) => {
    passphraseSource ??= import('../stores/passphrase.js').then(({ passphraseSource }) =>
      passphraseSource({ env, isTTY: rt.hasTerminal }),
    )
    return (await passphraseSource)(dir)
  }
  const rt: Runtime = {
    env,
    clock: overrides.clock ?? systemClock,
    log,
    homedir: home,
    platform,
    streams,
    // Looked up when a prompt is near, not on every run.
    get hasTerminal() {
      terminal ??= detectTerminal(platform)
      return terminal
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
    keys:
      overrides.keys ??
      (() => {
        keysPromise ??= Promise.all([import('../stores/credential-store.js'), rt.store()]).then(
          ([{ CredentialStore }, store]) => new CredentialStore(store),
        )
        return keysPromise
      }),
    sessions:
      overrides.sessions ??
      (() => {
        sessionsPromise ??= Promise.all([import('../sessions/session-store.js'), rt.store()]).then(
          ([{ SessionStore }, store]) =>
            new SessionStore(store, { logger: log, pruneStamp: join(home, '.awsvault', 'session-prune.stamp') }),
        )
        return sessionsPromise
      }),
    store:
      overrides.store ??
      (() => {
        storePromise ??= import('../stores/backend.js').then(async ({ chooseBackend, createStore }) => {
          const where = { env, homedir: home, platform, logger: log, settings: options.store }
          const name = await chooseBackend(options.backend, { ...where, notify: (line) => streams.stderr.write(line) })
          // rt's, so a passphrase given in `overrides` (the agent's, asked of its client) unlocks it.
          return createStore(name, { ...where, passphrase: (dir) => rt.passphrase(dir) })
        })
        return storePromise
      }),
    passphrase: overrides.passphrase ?? passphrase,
    // Opens nothing until the first hand-out; AWS_VAULT_LOG=off turns it off (src/audit/settings.ts).
    handOuts:
      overrides.handOuts ??
      handOutLog({
        settings: () => logSettings(env, home),
        now: () => rt.clock.now(),
        version: vaultVersion,
        warn: (message) => streams.stderr.write(`vault: warning: ${message}\n`),
      }),
    agent: 'agent' in overrides ? overrides.agent : agentPort(options, env, home, log),
  }
  return rt
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
