import { join, resolve } from 'node:path'
import { StoreError, UsageError } from '../errors.js'
import type { Env, Logger } from '../runtime/types.js'
import { FileStore } from './file-store.js'
import { fileIndexLock } from './index-lock.js'
import type { KeychainBackend } from './keychain-errors.js'
import { KeychainStore } from './keychain-store.js'
import { MemoryStore } from './memory-store.js'
import type { PassphraseProvider } from './passphrase.js'
import type { SecretStore } from './secret-store.js'

/** The names --backend and AWS_VAULT_BACKEND accept (aws-vault's names for the same stores). */
export const BACKEND_NAMES = ['keychain', 'wincred', 'secret-service', 'file'] as const

export interface CreateStoreOptions {
  env: Env
  homedir: string
  platform: NodeJS.Platform
  logger: Logger
  passphrase: PassphraseProvider
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

/** AWS_VAULT_FILE_DIR (with ~ expanded, as aws-vault does), else ~/.awsvault/keys. */
export function fileStoreDir(env: Env, homedir: string): string {
  const dir = env.AWS_VAULT_FILE_DIR
  if (!dir) return join(homedir, '.awsvault', 'keys')
  if (dir === '~' || dir.startsWith('~/') || dir.startsWith('~\\')) return join(homedir, dir.slice(1))
  return resolve(dir)
}

/**
 * Build the store a command should use. `name` is --backend or AWS_VAULT_BACKEND; undefined or ""
 * means the platform's keychain. Nothing native is loaded here: backends load lazily on first use.
 */
export function createStore(name: string | undefined, options: CreateStoreOptions): SecretStore {
  const backend = name || defaultBackend(options.platform)
  options.logger.debug(`secret store: ${backend}${name ? '' : ` (the default on ${options.platform})`}`)
  switch (backend) {
    case 'file':
      return new FileStore({
        dir: fileStoreDir(options.env, options.homedir),
        passphrase: options.passphrase,
        logger: options.logger,
      })
    case 'memory':
      // For tests only, so deliberately not listed in BACKEND_NAMES or in help.
      return new MemoryStore()
    case 'keychain':
    case 'wincred':
    case 'secret-service':
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
