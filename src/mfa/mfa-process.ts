import { MfaError } from '../errors.js'
import { OutputFailure, readOutput } from '../exec/read-output.js'
import type { Env, Logger } from '../runtime/types.js'
import { openTerminalFds, type TerminalFds } from '../terminal/open.js'
import { isValidMfaCode } from './mfa-source.js'

export interface MfaProcessOptions {
  command: string
  profile: string
  env: Env
  log: Logger
  /** Opens the controlling terminal (openTerminalFds); throws when there is none. Tests pass their own. */
  terminal?: () => Promise<TerminalFds>
  /** Deadline for the whole run; a helper waiting for a touch that never comes must not hang vault. */
  timeoutMs?: number
}

/**
 * Runs mfa_process through the shell, as aws-vault does, and returns the code it prints. Its
 * stdin and stderr are the controlling terminal (/dev/tty), so an interactive helper (a YubiKey
 * touch prompt, a password manager asking to unlock) reaches the user even when vault's own stdio
 * are pipes: an SDK, or docker piping JSON to a credential helper (aws-vault vault/mfa_unix.go
 * executeMFACommand). With no terminal, stdin is /dev/null and stderr is vault's, as in
 * aws-vault. vault is done when it exits (see readOutput).
 */
export async function runMfaProcess(o: MfaProcessOptions): Promise<string> {
  let tty: TerminalFds | undefined
  try {
    tty = await (o.terminal ?? openTerminalFds)()
    o.log.debug(`profile ${o.profile}: running mfa_process with the terminal on its stdin and stderr`)
  } catch {
    o.log.debug(`profile ${o.profile}: no controlling terminal; mfa_process gets /dev/null and vault's stderr`)
  }
  try {
    return await readCode({
      command: o.command,
      shell: true,
      env: o.env as Record<string, string | undefined>,
      name: 'mfa_process',
      profile: o.profile,
      hint: 'check the mfa_process command in your config',
      timeoutMs: o.timeoutMs,
      stdin: tty?.stdin,
      stderr: tty?.stderr,
    })
  } finally {
    tty?.close()
  }
}

export interface CodeCommand {
  command: string
  args?: string[]
  shell?: boolean
  env: Record<string, string | undefined>
  /** For messages: "mfa_process", "ykman". */
  name: string
  profile: string
  /** What to check when the command fails. */
  hint: string
  timeoutMs?: number
  stdin?: number
  stderr?: number
}

/**
 * Runs a program that prints an MFA code and returns the code. A failure to start keeps the
 * spawn error as `cause` (ENOENT: not installed).
 */
export async function readCode(c: CodeCommand): Promise<string> {
  const onlyTheCode = `make ${c.name} print only the code`
  let code: string
  try {
    code = await readOutput({ ...c, maxStdout: 64 * 1024 })
  } catch (err) {
    if (!(err instanceof OutputFailure)) throw err
    throw new MfaError(`profile "${c.profile}": ${c.name} ${err.why}`, err.tooLarge ? onlyTheCode : c.hint, {
      cause: err.cause,
    })
  }
  if (!isValidMfaCode(code)) {
    throw new MfaError(`profile "${c.profile}": ${c.name} printed something other than a six-digit code`, onlyTheCode)
  }
  return code
}
