import { spawn } from 'node:child_process'
import { MfaError } from '../errors.js'
import { isValidMfaCode } from './mfa-source.js'

/** A stuck helper is killed after this long. */
const timeoutMs = 60_000
/** More stdout than this is not a code: stop reading. */
const maxStdout = 64 * 1024
/**
 * After the process exits, how long its stdout may stay open (Go's exec.Cmd.WaitDelay): a
 * background child it left behind holds the pipe, and vault must not wait for that child.
 */
const exitGraceMs = 200

/**
 * Runs mfa_process through the shell, as aws-vault does, and returns its trimmed stdout. Like
 * aws-vault, stdin is /dev/null and stderr is vault's own, so the process can talk to the user
 * and may write as much there as it likes. vault is done when the process exits: a background
 * child holding stdout does not keep it waiting.
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
  /** Through /bin/sh -c, for mfa_process. */
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
export function readCode(c: CodeCommand): Promise<string> {
  const limitMs = c.timeoutMs ?? timeoutMs
  return new Promise((resolve, reject) => {
    const child = spawn(c.command, c.args ?? [], { shell: c.shell, env: c.env, stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    let settled = false
    let timedOut = false
    let grace: NodeJS.Timeout | undefined
    const fail = (why: string, hint = c.hint, cause?: unknown) => {
      finish()
      reject(new MfaError(`profile "${c.profile}": ${c.name} ${why}`, hint, { cause }))
    }
    const finish = () => {
      settled = true
      clearTimeout(timer)
      clearTimeout(grace)
      child.stdout.destroy()
    }
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGTERM')
    }, limitMs)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk
      if (stdout.length > maxStdout && !settled) {
        child.kill('SIGTERM')
        fail(`printed more than ${maxStdout / 1024} KiB`, `make ${c.name} print only the code`)
      }
    })
    child.once('error', (err) => {
      if (!settled) fail(`could not be started (${err.message})`, c.hint, err)
    })
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return
      if (timedOut) return fail(`timed out after ${limitMs / 1000} s`)
      if (code !== 0) return fail(signal ? `was killed by ${signal}` : `failed (exit ${code})`)
      finish()
      const mfaCode = stdout.trim()
      if (!isValidMfaCode(mfaCode)) {
        reject(
          new MfaError(
            `profile "${c.profile}": ${c.name} printed something other than a six-digit code`,
            `make ${c.name} print only the code`,
          ),
        )
        return
      }
      resolve(mfaCode)
    }
    // 'close' comes once stdout has ended too: the usual case. When a background child keeps
    // stdout open, 'exit' plus a short grace ends it; the immediate lets a poll phase read what
    // the process wrote before it exited, even when the timer fired late on a busy machine.
    child.once('close', done)
    child.once('exit', (code, signal) => {
      grace = setTimeout(() => setImmediate(() => done(code, signal)), exitGraceMs)
    })
  })
}
