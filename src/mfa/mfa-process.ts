import { MfaError } from '../errors.js'
import { OutputFailure, readOutput } from '../exec/read-output.js'
import { isValidMfaCode } from './mfa-source.js'

/**
 * Runs mfa_process through the shell, as aws-vault does, and returns the code it prints. Its
 * stderr is the user's; vault is done when it exits (see readOutput).
 */
export function runMfaProcess(
  command: string,
  profile: string,
  env: Record<string, string | undefined>,
): Promise<string> {
  return readCode({
    command,
    shell: true,
    env,
    name: 'mfa_process',
    profile,
    hint: 'check the mfa_process command in your config',
  })
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
