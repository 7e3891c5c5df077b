import { StoreError } from '../errors.js'
import type { Env } from '../runtime/types.js'
import { onTerminal } from '../terminal/prompt.js'

/** Hands the file store its passphrase; `dir` names the store in the prompt. */
export type PassphraseProvider = (dir: string) => Promise<string>

/** Asks the user, hiding what they type. */
export type PassphrasePrompt = (message: string) => Promise<string>

export interface PassphraseSourceOptions {
  env: Env
  /** True when there is a terminal to ask on. */
  isTTY: boolean
  /** Defaults to a masked prompt on the controlling terminal. */
  prompt?: PassphrasePrompt
}

/**
 * The file backend's passphrase, like aws-vault: AWS_VAULT_FILE_PASSPHRASE when it is set (even to
 * ""), else a hidden prompt on the terminal, else a clear error rather than a read that never
 * ends. Nothing happens until the store first needs to encrypt or decrypt, and the answer (or the
 * failure) is kept, so the user is asked at most once per process.
 */
export function passphraseSource(options: PassphraseSourceOptions): PassphraseProvider {
  let answer: Promise<string> | undefined
  return (dir) => {
    answer ??= resolvePassphrase(options, dir)
    return answer
  }
}

async function resolvePassphrase({ env, isTTY, prompt }: PassphraseSourceOptions, dir: string): Promise<string> {
  const fromEnv = env.AWS_VAULT_FILE_PASSPHRASE
  if (fromEnv !== undefined) return fromEnv
  if (!isTTY) {
    throw new StoreError(
      `cannot unlock the file backend at ${dir}: no terminal and AWS_VAULT_FILE_PASSPHRASE is not set`,
      'passphrase',
      'set AWS_VAULT_FILE_PASSPHRASE, or run vault from a terminal',
    )
  }
  return (prompt ?? terminalPrompt)(`Enter passphrase to unlock ${dir}`)
}

/**
 * A masked prompt on the controlling terminal (src/terminal/prompt.ts), not on stdio: `vault
 * export` and SDK credential_process calls have stdout piped, but the user is still at the terminal.
 */
export function terminalPrompt(message: string): Promise<string> {
  const noTerminal = (err: Error) =>
    new StoreError(
      `cannot ask for the passphrase: no terminal (${err.message})`,
      'passphrase',
      'set AWS_VAULT_FILE_PASSPHRASE',
    )
  return onTerminal({ noTerminal, cancelled: 'passphrase prompt cancelled' }, (c) => c.hidden(message, true))
}
