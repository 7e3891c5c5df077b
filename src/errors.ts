/**
 * vault's one error hierarchy. Every error a user can cause or fix is a VaultError subclass with
 * an exit code and, where there is one, a hint saying what to do next. The base command maps
 * them to a single stderr line (see src/cli/base-command.ts); stacks appear only under --debug.
 * Messages never contain secrets: mask access key ids with maskKey().
 */
const brand = Symbol.for('vault.VaultError')

export class VaultError extends Error {
  readonly exitCode: number = 1
  /** Marks vault errors across module copies (the fast-path bundle, tsx in development). */
  readonly [brand] = true
  constructor(
    message: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** Bad flags, arguments or input: exit 2, like oclif's own parse errors. */
export class UsageError extends VaultError {
  override readonly exitCode = 2
}

/** ~/.aws/config is malformed or a profile cannot be resolved. Exit 78 (EX_CONFIG). */
export class ConfigError extends VaultError {
  override readonly exitCode = 78
}

/** Something the user asked for does not exist (profile, stored keys, item). */
export class NotFoundError extends VaultError {
  override readonly exitCode = 3
}

/** The secret store is locked, refused access, is unavailable, or timed out. Exit 69 (EX_UNAVAILABLE). */
export class StoreError extends VaultError {
  override readonly exitCode = 69
  constructor(
    message: string,
    readonly reason: 'locked' | 'denied' | 'unavailable' | 'timeout' | 'corrupt' | 'passphrase' | 'too-large' | 'busy',
    hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, hint, options)
  }
}

/** No MFA code could be had, or the one given was rejected. */
export class MfaError extends VaultError {
  override readonly exitCode = 4
}

/** STS, IAM or another AWS call failed. `code` is the AWS error code when there is one. */
export class AwsCallError extends VaultError {
  override readonly exitCode = 5
  constructor(
    message: string,
    readonly code?: string,
    hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, hint, options)
  }
}

/** A lock could not be taken in time. */
export class LockError extends VaultError {
  override readonly exitCode = 75 // EX_TEMPFAIL
}

/** The user declined a confirmation or pressed Ctrl-C at a prompt. */
export class CancelledError extends VaultError {
  override readonly exitCode = 130
}

/** True for any VaultError, even one created by another copy of this module. */
export function isVaultError(err: unknown): err is VaultError {
  return typeof err === 'object' && err !== null && (err as { [brand]?: boolean })[brand] === true
}
