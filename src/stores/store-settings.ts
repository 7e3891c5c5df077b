import type { Env } from '../runtime/types.js'

/** Where each backend keeps its items: aws-vault's global flags (cli/global.go) for the stores. */
export interface StoreSettings {
  /** --file-dir: the file backend's directory. */
  fileDir?: string
  /** --keychain: aws-vault's macOS keychain file name (not honoured: see README). */
  keychainName?: string
  /** --secret-service-collection: aws-vault's Secret Service collection (not honoured: see README). */
  secretServiceCollection?: string
  /** --pass-dir: the password store. */
  passDir?: string
  /** --pass-cmd: the pass executable. */
  passCmd?: string
  /** --pass-prefix: a folder inside the password store. */
  passPrefix?: string
}

/**
 * The variable behind each setting, aws-vault's names. The global flags declare them (`env:` in
 * src/cli/base-command.ts, so oclif.manifest.json lists them), and a caller that builds the store
 * without oclif (the cache-hit fast path) reads them here: one declaration for both.
 */
export const STORE_ENV = {
  fileDir: 'AWS_VAULT_FILE_DIR',
  keychainName: 'AWS_VAULT_KEYCHAIN_NAME',
  secretServiceCollection: 'AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME',
  passDir: 'AWS_VAULT_PASS_PASSWORD_STORE_DIR',
  passCmd: 'AWS_VAULT_PASS_CMD',
  passPrefix: 'AWS_VAULT_PASS_PREFIX',
} as const satisfies Record<keyof StoreSettings, string>

/** Settings from the environment alone, for callers without parsed flags. Empty values count as unset. */
export function storeSettingsFromEnv(env: Env): StoreSettings {
  const settings: StoreSettings = {}
  for (const [key, name] of Object.entries(STORE_ENV) as Array<[keyof StoreSettings, string]>) {
    if (env[name]) settings[key] = env[name]
  }
  return settings
}

/**
 * vault's global flags as the composition root (src/compose/) reads them: which store, with which
 * settings, the MFA prompt driver and --debug. Here, beside the store settings, so that the agent
 * (src/agent/) and the use cases can name them without importing the root.
 */
export interface RuntimeOptions {
  backend?: string
  debug: boolean
  prompt?: string
  /** --file-dir, --pass-dir, …; omitted, the store reads aws-vault's variables itself. */
  store?: StoreSettings
}
