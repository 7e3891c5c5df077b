import { MfaError } from '../errors.js'
import { openTerminal, type Terminal } from '../runtime/terminal.js'
import type { Env, Logger } from '../runtime/types.js'
import { isValidMfaCode } from './mfa-source.js'

export interface MfaProcessOptions {
  command: string
  profile: string
  env: Env
  log: Logger
  /** The controlling terminal opener (src/runtime/terminal.ts); tests pass their own. */
  terminal?: () => Promise<Terminal>
  /** Deadline for the whole run; a helper waiting for a touch that never comes must not hang vault. */
  timeoutMs?: number
}

const maxOutput = 64 * 1024

/**
 * Runs mfa_process through the shell, as aws-vault does, and returns its trimmed stdout. Its
 * stdin and stderr are the controlling terminal (/dev/tty), so an interactive helper (a YubiKey
 * touch prompt, a password manager asking to unlock) reaches the user even when vault's own stdio
 * are pipes under an SDK; with no terminal they are vault's own stdin and stderr.
 */
export async function runMfaProcess(o: MfaProcessOptions): Promise<string> {
  let tty: Terminal | undefined
  try {
    tty = await (o.terminal ?? openTerminal)()
    o.log.debug(`profile ${o.profile}: running mfa_process with the terminal on its stdin and stderr`)
  } catch {
    o.log.debug(`profile ${o.profile}: no controlling terminal; mfa_process gets vault's stdin and stderr`)
  }
  try {
    return await run(o, tty)
  } finally {
    tty?.close()
  }
}

async function run(o: MfaProcessOptions, tty: Terminal | undefined): Promise<string> {
  const { spawn } = await import('node:child_process')
  const timeoutMs = o.timeoutMs ?? 60_000
  return new Promise((resolve, reject) => {
    const child = spawn(o.command, {
      shell: true,
      env: o.env as NodeJS.ProcessEnv,
      stdio: [tty ? stdio(tty.input) : 'inherit', 'pipe', tty ? stdio(tty.output) : 'inherit'],
    })
    let out = ''
    let settled = false
    const fail = (what: string, hint = 'check the mfa_process command in your config') => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new MfaError(`profile "${o.profile}": mfa_process ${what}`, hint))
    }
    // On the deadline, give up at once: a grandchild of the shell may keep stdout open.
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      child.stdout?.destroy()
      fail(`timed out after ${Math.round(timeoutMs / 1000)}s`)
    }, timeoutMs)
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      out += chunk
      if (out.length > maxOutput) {
        child.kill('SIGKILL')
        fail('printed too much')
      }
    })
    child.on('error', (err) => fail(`could not start (${err.message})`))
    child.on('close', (code, signal) => {
      if (settled) return
      if (code !== 0) return fail(`failed (${signal ? `killed by ${signal}` : `exit ${code}`})`)
      const codeText = out.trim()
      if (!isValidMfaCode(codeText))
        return fail('printed something other than a six-digit code', 'make mfa_process print only the code')
      settled = true
      clearTimeout(timer)
      resolve(codeText)
    })
  })
}

/** spawn shares a stream with a child through its file descriptor. */
function stdio(stream: NodeJS.ReadableStream | NodeJS.WritableStream): number | 'inherit' {
  const fd = (stream as { fd?: unknown }).fd
  if (typeof fd === 'number') return fd
  // Windows: the opener hands back process.stdin and process.stderr.
  return 'inherit'
}
