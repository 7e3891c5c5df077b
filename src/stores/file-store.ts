import { mkdir, readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { StoreError, UsageError } from '../errors.js'
import { TEMP_PREFIX, writeFileAtomic } from '../fs/atomic-write.js'
import { fileSystemError } from '../fs/fs-errors.js'
import { fileCaps, readBoundedText } from '../fs/read-file.js'
import { type Logger, silentLogger } from '../runtime/types.js'
import { marshalItem, unmarshalItem } from './aws-vault-item.js'
import { decodeFileName, encodeFileName } from './file-names.js'
import { decryptJwe, encryptJwe } from './jwe.js'
import type { PassphraseProvider } from './passphrase.js'
import type { SecretItem, SecretStore } from './secret-store.js'

export { type PassphraseProvider, passphraseSource } from './passphrase.js'

export interface FileStoreOptions {
  /** AWS_VAULT_FILE_DIR, or ~/.awsvault/keys. */
  dir: string
  passphrase: PassphraseProvider
  logger?: Logger
}

/**
 * aws-vault's encrypted file backend, byte-compatible both ways: one JWE file per item, named by
 * the percent-encoded key, in a 0700 directory, each file 0600. Listing reads the directory only,
 * so it never asks for the passphrase.
 */
export class FileStore implements SecretStore {
  readonly name = 'file'
  readonly dir: string
  private readonly logger: Logger
  private passphraseChecked = false

  constructor(private readonly opts: FileStoreOptions) {
    this.dir = opts.dir
    this.logger = opts.logger ?? silentLogger
  }

  async get(key: string): Promise<SecretItem | null> {
    const path = this.pathFor(key)
    let jwe: string
    try {
      jwe = await readItem(path)
    } catch (err) {
      if (isMissing(err)) return null
      throw fileSystemError(err, path, 'cannot read')
    }
    const item = await this.decrypt(jwe, path)
    this.passphraseChecked = true
    return { ...item, key }
  }

  /** From the file's presence alone: no passphrase. */
  async has(key: string): Promise<boolean> {
    const path = this.pathFor(key)
    try {
      return (await stat(path)).isFile()
    } catch (err) {
      if (isMissing(err)) return false
      throw fileSystemError(err, path, 'cannot read')
    }
  }

  async set(item: SecretItem): Promise<void> {
    const path = this.pathFor(item.key)
    await this.checkPassphrase()
    const jwe = await encryptJwe(marshalItem(item), await this.passphrase())
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 })
      await writeFileAtomic(path, jwe)
    } catch (err) {
      throw fileSystemError(err, path, 'cannot write')
    }
  }

  async remove(key: string): Promise<boolean> {
    const path = this.pathFor(key)
    try {
      await unlink(path)
      return true
    } catch (err) {
      if (isMissing(err)) return false
      throw fileSystemError(err, path, 'cannot remove')
    }
  }

  async keys(): Promise<string[]> {
    let entries: import('node:fs').Dirent[]
    try {
      entries = await readdir(this.dir, { withFileTypes: true })
    } catch (err) {
      if (isMissing(err)) return []
      throw fileSystemError(err, this.dir, 'cannot list')
    }
    return entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith(TEMP_PREFIX))
      .map((e) => e.name)
      .sort()
      .map(decodeFileName)
  }

  private pathFor(key: string): string {
    const name = encodeFileName(key)
    if (name === '' || name === '.' || name === '..' || name.includes('\0')) {
      throw new UsageError(`"${key}" cannot be stored in the file backend: it is not a usable file name`)
    }
    return join(this.dir, name)
  }

  private passphrase(): Promise<string> {
    return this.opts.passphrase(this.dir)
  }

  private async decrypt(jwe: string, path: string, crossCheck = true): Promise<SecretItem> {
    const result = await decryptJwe(jwe, await this.passphrase())
    if (!result.ok && result.reason === 'passphrase' && crossCheck && (await this.opensAnother(path))) {
      // The passphrase opens other items: this one's wrapped key was damaged.
      throw new StoreError(
        `${path} is corrupted (its key does not unwrap with the passphrase that opens the other items)`,
        'corrupt',
        `remove ${path} and add the item again`,
      )
    }
    if (!result.ok && result.reason === 'passphrase') {
      throw new StoreError(
        `wrong passphrase for ${this.dir}`,
        'passphrase',
        'check AWS_VAULT_FILE_PASSPHRASE, or the passphrase you typed',
      )
    }
    const item = result.ok ? unmarshalItem(result.plaintext) : undefined
    if (!item) {
      const detail = result.ok ? 'not an aws-vault item' : result.detail
      throw new StoreError(`${path} is corrupted (${detail})`, 'corrupt', `remove ${path} and add the item again`)
    }
    return item
  }

  /**
   * Before the first write, decrypt one existing item: a mistyped passphrase would otherwise
   * encrypt the new item under a passphrase no other item shares. A damaged item says nothing
   * about the passphrase (issue 15: one flipped byte blocked every `vault add`): the passphrase
   * is wrong only when it opens none of the items.
   */
  private async checkPassphrase(): Promise<void> {
    if (this.passphraseChecked) return
    let wrong: unknown
    for (const key of await this.keys()) {
      const path = this.pathFor(key)
      // Removed since the listing, or no item at all (a FIFO, a huge file): says nothing of the passphrase.
      const jwe = await readItem(path).catch(() => undefined)
      if (jwe === undefined) continue
      try {
        await this.decrypt(jwe, path, false)
      } catch (err) {
        if (!(err instanceof StoreError)) throw err
        if (err.reason === 'corrupt') continue
        if (err.reason === 'passphrase') {
          wrong ??= err
          continue
        }
        throw err
      }
      this.logger.debug(`file backend: passphrase checked against ${path}`)
      this.passphraseChecked = true
      return
    }
    if (wrong) throw wrong
    this.passphraseChecked = true
  }

  /** True when the passphrase opens an item other than `except`: tried on a failure only. */
  private async opensAnother(except: string): Promise<boolean> {
    for (const key of await this.keys().catch(() => [])) {
      const path = this.pathFor(key)
      if (path === except) continue
      const jwe = await readItem(path).catch(() => undefined)
      if (jwe === undefined) continue
      const result = await decryptJwe(jwe, await this.passphrase())
      if (result.ok) return true
    }
    return false
  }
}

/** An item's JWE text: a regular file of at most fileCaps.item (a FIFO here hung `vault add`). */
function readItem(path: string): Promise<string> {
  return readBoundedText(path, { maxBytes: fileCaps.item })
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}
