import { join, resolve } from 'node:path'
import { StoreError, UsageError } from '../errors.js'
import type { Env, Logger } from '../runtime/types.js'
import { FileStore } from './file-store.js'
import { fileIndexLock } from './index-lock.js'
import type { KeychainBackend } from './keychain-errors.js'
import { KeychainStore } from './keychain-store.js'
import { MemoryStore } from './memory-store.js'
import { PassStore } from './pass-store.js'
import type { PassphraseProvider } from './passphrase.js'
import { secretServiceCalls } from './secret-service-direct.js'
import type { SecretStore } from './secret-store.js'
import { type StoreSettings, storeSettingsFromEnv } from './store-settings.js'

/** The names --backend and AWS_VAULT_BACKEND accept (aws-vault's names for the same stores). */
export const BACKEND_NAMES = ['keychain', 'wincred', 'secret-service', 'file', 'pass'] as const

export interface CreateStoreOptions {
  env: Env
  homedir: string
  platform: NodeJS.Platform
  logger: Logger
  passphrase: PassphraseProvider
  /** The global flags that place the stores; omitted, they come from the environment (aws-vault's variables). */
  settings?: StoreSettings
  /** Deadline for each OS keychain call. */
  timeoutMs?: number
}

const KEYCHAIN_PLATFORM: Record<KeychainBackend, { test: (p: NodeJS.Platform) => boolean; where: string }> = {
  keychain: { test: (p) => p === 'darwin', where: 'macOS' },
  wincred: { test: (p) => p === 'win32', where: 'Windows' },
  'secret-service': { test: (p) => p !== 'darwin' && p !== 'win32', where: 'Linux and other Unix systems' },
}

/** The platform's own keychain: what vault (and aws-vault) use without --backend. */
export function defaultBackend(platform: NodeJS.Platform): KeychainBackend {
  if (platform === 'darwin') return 'keychain'
  if (platform === 'win32') return 'wincred'
  return 'secret-service'
}

/** How long the Secret Service probe may take before vault tries the keychain anyway. */
const PROBE_TIMEOUT_MS = 2000

/**
 * The backend to use: --backend or AWS_VAULT_BACKEND when given (never overridden); else the
 * platform's keychain; on Linux with no Secret Service (no session bus, or a bus where nothing
 * owns or can start org.freedesktop.secrets: a server, a container, WSL, CI), aws-vault's
 * fallback: pass when it is set up, else the encrypted file, said once on stderr through `notify`.
 */
export async function chooseBackend(
  name: string | undefined,
  options: Pick<CreateStoreOptions, 'env' | 'homedir' | 'platform' | 'logger' | 'settings'> & {
    notify: (line: string) => void
  },
): Promise<string> {
  if (name) return name
  const keychain = defaultBackend(options.platform)
  if (keychain !== 'secret-service') return keychain
  const { headlessBackend, noticeOnce, probeSecretService, secretServiceOnBus } = await import('./default-backend.js')
  const memo = join(options.homedir, '.awsvault', 'secret-service-bus')
  const presence = await secretServiceOnBus(options.env, memo, (env) => probeSecretService(env, PROBE_TIMEOUT_MS))
  options.logger.debug(`secret service: ${presence}`)
  if (presence === 'present' || presence === 'unknown') return keychain
  const settings = options.settings ?? storeSettingsFromEnv(options.env)
  const passDir = passStoreDir(settings.passDir, options.env, options.homedir)
  const backend = headlessBackend(options.env, passDir, settings.passCmd || 'pass')
  const why = presence === 'no-bus' ? 'no D-Bus session bus' : 'nothing provides it on the D-Bus session bus'
  const where = backend === 'pass' ? passDir : fileStoreDir(settings.fileDir, options.homedir)
  await noticeOnce(join(options.homedir, '.awsvault', 'backend-fallback'), backend, why, where, options.notify)
  return backend
}

/** --file-dir / AWS_VAULT_FILE_DIR (with ~ expanded, as aws-vault does), else ~/.awsvault/keys. */
export function fileStoreDir(dir: string | undefined, homedir: string): string {
  if (!dir) return join(homedir, '.awsvault', 'keys')
  return expandTilde(dir, homedir)
}

/** --pass-dir / AWS_VAULT_PASS_PASSWORD_STORE_DIR, else PASSWORD_STORE_DIR, else ~/.password-store (pass.go). */
export function passStoreDir(dir: string | undefined, env: Env, homedir: string): string {
  return expandTilde(dir || env.PASSWORD_STORE_DIR || join(homedir, '.password-store'), homedir)
}

function expandTilde(dir: string, homedir: string): string {
  if (dir === '~' || dir.startsWith('~/') || dir.startsWith('~\\')) return join(homedir, dir.slice(1))
  return resolve(dir)
}

/**
 * Build the store a command should use. `name` is --backend or AWS_VAULT_BACKEND; undefined or ""
 * means the platform's keychain. Nothing native is loaded here: backends load lazily on first use.
 */
export function createStore(name: string | undefined, options: CreateStoreOptions): SecretStore {
  const backend = name || defaultBackend(options.platform)
  const settings = options.settings ?? storeSettingsFromEnv(options.env)
  options.logger.debug(`secret store: ${backend}${name ? '' : ` (the default on ${options.platform})`}`)
  switch (backend) {
    case 'file':
      return new FileStore({
        dir: fileStoreDir(settings.fileDir, options.homedir),
        passphrase: options.passphrase,
        logger: options.logger,
      })
    case 'memory':
      // For tests only, so deliberately not listed in BACKEND_NAMES or in help.
      return new MemoryStore()
    case 'pass':
      return new PassStore({
        dir: passStoreDir(settings.passDir, options.env, options.homedir),
        cmd: settings.passCmd || 'pass',
        prefix: settings.passPrefix ?? '',
        env: options.env,
        logger: options.logger,
      })
    case 'keychain':
    case 'wincred':
    case 'secret-service':
      ignoredPlacement(backend, settings, options.logger)
      return keychainStore(backend, options)
    default:
      throw new UsageError(`unknown backend "${backend}"`, `use one of: ${BACKEND_NAMES.join(', ')}`)
  }
}

function keychainStore(backend: KeychainBackend, options: CreateStoreOptions): SecretStore {
  const { test, where } = KEYCHAIN_PLATFORM[backend]
  if (!test(options.platform)) {
    throw new StoreError(
      `the ${backend} backend is only available on ${where}`,
      'unavailable',
      `use --backend ${defaultBackend(options.platform)}, or --backend file`,
    )
  }
  return new KeychainStore({
    backend,
    platform: options.platform,
    direct: backend === 'secret-service' ? secretServiceCalls(options.env) : undefined,
    timeoutMs: options.timeoutMs,
    logger: options.logger,
    // No index on Windows: Credential Manager holds at most 2,560 bytes an item, too few for one.
    indexLock:
      backend === 'wincred'
        ? undefined
        : fileIndexLock({ path: join(options.homedir, '.awsvault', 'locks', 'store-index'), logger: options.logger }),
    indexFile: backend === 'wincred' ? undefined : join(options.homedir, '.awsvault', `${backend}.index`),
  })
}

/**
 * aws-vault keeps its items in a keychain file (--keychain) or a Secret Service collection
 * (--secret-service-collection) of its own. @napi-rs/keyring reaches only the default keychain
 * search list and the default collection, so vault accepts both settings and says under --debug
 * that it does not use them (README, aws-vault differences).
 */
function ignoredPlacement(backend: KeychainBackend, settings: StoreSettings, logger: Logger): void {
  if (backend === 'keychain' && settings.keychainName && settings.keychainName !== 'aws-vault') {
    logger.debug(
      `keychain "${settings.keychainName}" (--keychain) ignored: vault uses the default keychain search list`,
    )
  }
  if (backend === 'secret-service' && settings.secretServiceCollection) {
    logger.debug(
      `collection "${settings.secretServiceCollection}" (--secret-service-collection) ignored for vault's own items: they use the default collection (only import --from aws-vault reads it)`,
    )
  }
}
