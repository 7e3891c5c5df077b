import { readdir, stat } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { StoreError, UsageError } from '../errors.js'
import { OutputFailure, runForOutput } from '../exec/read-output.js'
import { type Env, type Logger, silentLogger } from '../runtime/types.js'
import { marshalItem, unmarshalItem } from './aws-vault-item.js'
import type { SecretItem, SecretStore } from './secret-store.js'

export interface PassStoreOptions {
  /** --pass-dir / AWS_VAULT_PASS_PASSWORD_STORE_DIR, else PASSWORD_STORE_DIR, else ~/.password-store. */
  dir: string
  /** --pass-cmd / AWS_VAULT_PASS_CMD, else `pass`. */
  cmd: string
  /** --pass-prefix / AWS_VAULT_PASS_PREFIX: a folder inside the store. */
  prefix: string
  /** The environment pass and gpg run in (GNUPGHOME, GPG_TTY, …). */
  env: Env
  /** Deadline for each pass call. `pass show` may wait for gpg-agent's passphrase prompt. */
  timeoutMs?: number
  logger?: Logger
}

export const DEFAULT_PASS_TIMEOUT_MS = 60_000

/** An item is a few hundred bytes; gpg printing 400 MB took vault to 2.6 GB before this cap. */
const MAX_PASS_OUTPUT = 1024 * 1024
const HINT = 'check the store with: pass ls, or use another --backend'

/**
 * aws-vault's `pass` backend (99designs/keyring pass.go), byte-compatible both ways: the item with
 * key K lives at PREFIX/K in the password store (file PREFIX/K.gpg), and its content is the
 * keyring.Item as Go's json.Marshal writes it (Data, the credential JSON, as base64), written with
 * `pass insert -m -f` and read with `pass show`. Listing and existence read the directory only,
 * so they never run gpg. Secrets travel on stdin and stdout, never in argv.
 */
export class PassStore implements SecretStore {
  readonly name = 'pass'
  /** The folder holding the items: DIR/PREFIX. */
  readonly root: string
  private readonly timeoutMs: number
  private readonly logger: Logger

  constructor(private readonly opts: PassStoreOptions) {
    this.root = join(opts.dir, opts.prefix)
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_PASS_TIMEOUT_MS
    this.logger = opts.logger ?? silentLogger
  }

  async get(key: string): Promise<SecretItem | null> {
    if (!(await this.has(key))) return null
    const name = this.entryName(key)
    const out = await this.run(['show', name], `reading "${name}"`)
    const item = unmarshalItem(out)
    if (!item) {
      throw new StoreError(
        `the pass entry "${name}" is not an aws-vault item`,
        'corrupt',
        `remove it with: pass rm ${name}, and store it again`,
      )
    }
    return { ...item, key }
  }

  async set(item: SecretItem): Promise<void> {
    const name = this.entryName(item.key)
    // pass encrypts to a temporary file and renames it over the entry: readers never see half an item.
    await this.run(['insert', '-m', '-f', name], `writing "${name}"`, marshalItem(item))
  }

  async remove(key: string): Promise<boolean> {
    if (!(await this.has(key))) return false
    const name = this.entryName(key)
    await this.run(['rm', '-f', name], `removing "${name}"`)
    return true
  }

  /** As pass.go's itemExists: the .gpg file is there. */
  async has(key: string): Promise<boolean> {
    const path = join(this.opts.dir, `${this.entryName(key)}.gpg`)
    try {
      return (await stat(path)).isFile()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
        return false
      throw new StoreError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code}`, 'denied', HINT, {
        cause: err,
      })
    }
  }

  /** Every `*.gpg` under DIR/PREFIX, as a key relative to it (pass.go's Keys walks the same tree). */
  async keys(): Promise<string[]> {
    const root = this.root
    const keys: string[] = []
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries: import('node:fs').Dirent[]
      try {
        entries = await readdir(dir, { withFileTypes: true })
      } catch (err) {
        if (rel === '' && (err as NodeJS.ErrnoException).code === 'ENOENT') return
        throw new StoreError(`cannot list ${dir}: ${(err as NodeJS.ErrnoException).code}`, 'unavailable', HINT, {
          cause: err,
        })
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      for (const e of entries) {
        const path = rel ? `${rel}/${e.name}` : e.name
        if (e.isDirectory()) await walk(join(dir, e.name), path)
        else if (e.name.endsWith('.gpg')) keys.push(path.slice(0, -4))
      }
    }
    await walk(root, '')
    return keys
  }

  /** Go's filepath.Join(prefix, key): empty parts dropped, the result cleaned. */
  private entryName(key: string): string {
    if (!key || key.split('/').some((part) => part === '..')) {
      throw new UsageError(`"${key}" cannot be stored in pass: it would leave the password store`)
    }
    return posix.normalize([this.opts.prefix, key].filter(Boolean).join('/')).replace(/\/+$/, '')
  }

  /**
   * Runs pass with a deadline and an output cap; resolves its stdout. Input (a secret) goes on
   * stdin. It runs in its own process group, killed at the deadline, and vault returns then even
   * if a grandchild in its own session (a gpg-agent, a pinentry) still holds the pipes.
   */
  private async run(args: string[], what: string, input?: string): Promise<string> {
    const { cmd, dir } = this.opts
    this.logger.debug(`pass store: ${cmd} ${args.join(' ')} (PASSWORD_STORE_DIR=${dir})`)
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(this.opts.env)) if (v !== undefined) env[k] = v
    env.PASSWORD_STORE_DIR = dir
    try {
      const out = await runForOutput({
        command: cmd,
        args,
        env,
        stdin: { text: input ?? '' },
        stderr: 'capture',
        group: true,
        timeoutMs: this.timeoutMs,
        maxStdout: MAX_PASS_OUTPUT,
      })
      return out.stdout
    } catch (err) {
      if (!(err instanceof OutputFailure)) throw err
      const cause = err.cause as NodeJS.ErrnoException | undefined
      if (cause?.code === 'ENOENT')
        throw new StoreError(
          `the pass backend needs ${cmd}, which is not installed`,
          'unavailable',
          'install pass (apt-get install pass), or name it with --pass-cmd',
          { cause },
        )
      if (err.timedOut)
        throw new StoreError(
          `pass store: ${what} did not finish within ${Math.round(this.timeoutMs / 1000)} s`,
          'timeout',
          'gpg may be waiting for a passphrase: unlock your key (gpg-agent) and retry',
        )
      if (err.tooLarge)
        throw new StoreError(`pass store: ${what} ${err.why}, more than any vault item`, 'too-large', HINT)
      if (cause) throw new StoreError(`pass store: ${what} failed: ${cause.message}`, 'unavailable', HINT, { cause })
      const last = err.stderr.trim().split('\n').pop()?.trim()
      throw new StoreError(
        `pass store: ${what} failed${last ? `: ${last}` : ` (exit ${err.exitCode})`}`,
        'unavailable',
        HINT,
      )
    }
  }
}
