import { resolve } from 'node:path'
import { UsageError } from '../errors.js'
import type { Env, Logger } from '../runtime/types.js'
import type { PassphraseProvider } from '../stores/passphrase.js'
import type { SecretItem, SecretStore } from '../stores/secret-store.js'
import { storeSettingsFromEnv } from '../stores/store-settings.js'

/** aws-vault's backends that `vault import --from aws-vault` reads (aws-vault's --backend names). */
export const AWS_VAULT_SOURCES = ['secret-service', 'file', 'pass'] as const

/** aws-vault's own default collection (cli/global.go: LibSecretCollectionName "awsvault"). */
export const AWS_VAULT_COLLECTION = 'awsvault'

/** One of aws-vault's stores, read-only. */
export interface AwsVaultSource {
  readonly name: string
  /** Where its items are, for messages: `aws-vault's file backend in ~/.awsvault/keys`. */
  readonly where: string
  keys(): Promise<string[]>
  get(key: string): Promise<SecretItem | null>
  /** True when `store`, vault's own backend, keeps its items in this very place. */
  isSameAs(store: SecretStore): boolean
  close(): void
}

export interface AwsVaultSourceOptions {
  env: Env
  homedir: string
  logger: Logger
  passphrase: PassphraseProvider
  /** --secret-service-collection (aws-vault's own flag, which vault's store does not use). */
  collection?: string
  timeoutMs?: number
}

/**
 * The store aws-vault itself would open with `--backend name`, placed by aws-vault's variables
 * (AWS_VAULT_FILE_DIR, AWS_VAULT_PASS_*), not by vault's flags: those place vault's own store.
 * The file and pass stores are vault's own (byte-compatible with aws-vault's); the Secret Service
 * collection needs its own reader, loaded only here.
 */
export async function openAwsVaultSource(name: string, options: AwsVaultSourceOptions): Promise<AwsVaultSource> {
  const settings = storeSettingsFromEnv(options.env)
  // Loaded here, not at the top: the import command's flags need only the names above.
  const [{ fileStoreDir, passStoreDir }, { FileStore }, { PassStore }] = await Promise.all([
    import('../stores/backend.js'),
    import('../stores/file-store.js'),
    import('../stores/pass-store.js'),
  ])
  switch (name) {
    case 'file': {
      const store = new FileStore({
        dir: fileStoreDir(settings.fileDir, options.homedir),
        passphrase: options.passphrase,
        logger: options.logger,
      })
      return wrap(store, `aws-vault's file backend in ${store.dir}`, (other) =>
        other instanceof FileStore ? resolve(other.dir) === resolve(store.dir) : false,
      )
    }
    case 'pass': {
      const store = new PassStore({
        dir: passStoreDir(settings.passDir, options.env, options.homedir),
        cmd: settings.passCmd || 'pass',
        prefix: settings.passPrefix ?? '',
        env: options.env,
        logger: options.logger,
      })
      return wrap(store, `aws-vault's pass store in ${store.root}`, (other) =>
        other instanceof PassStore ? resolve(other.root) === resolve(store.root) : false,
      )
    }
    case 'secret-service': {
      const [{ AwsVaultSecretService }, { DEFAULT_KEYCHAIN_TIMEOUT_MS }] = await Promise.all([
        import('./secret-service.js'),
        import('../stores/keychain-store.js'),
      ])
      const store = new AwsVaultSecretService({
        env: options.env,
        collection: options.collection || settings.secretServiceCollection || AWS_VAULT_COLLECTION,
        timeoutMs: options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS,
        logger: options.logger,
      })
      // vault's own Secret Service items live in the default collection, never in aws-vault's.
      return {
        name,
        where: store.where,
        keys: () => store.keys(),
        get: (k) => store.get(k),
        isSameAs: () => false,
        close: () => store.close(),
      }
    }
    default:
      throw new UsageError(
        `vault import cannot read aws-vault's "${name}" backend`,
        `use --from-backend ${AWS_VAULT_SOURCES.join(', ')}`,
      )
  }
}

function wrap(store: SecretStore, where: string, isSameAs: (other: SecretStore) => boolean): AwsVaultSource {
  return {
    name: store.name,
    where,
    keys: () => store.keys(),
    get: (key) => store.get(key),
    isSameAs,
    close: () => {},
  }
}
