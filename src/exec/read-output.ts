import type { Readable } from 'node:stream'

/** A program vault asks for one value on stdout: mfa_process, ykman, web_identity_token_process. */
export interface OutputCommand {
  command: string
  args?: string[]
  /** Through /bin/sh -c, as aws-vault runs mfa_process and web_identity_token_process. */
  shell?: boolean
  env: Record<string, string | undefined>
  /** Killed after this long; 60 s by default. */
  timeoutMs?: number
  /** More stdout than this is a mistake: stop reading. */
  maxStdout: number
  /** The program's stdin and stderr (file descriptors, e.g. the controlling terminal's); /dev/null and vault's stderr by default. */
  stdin?: number
  stderr?: number
}

/** Why the program gave no output; `cause` is the spawn error when it could not start (ENOENT). */
export class OutputFailure extends Error {
  constructor(
    readonly why: string,
    readonly tooLarge = false,
    options?: ErrorOptions,
  ) {
    super(why, options)
  }
}

/**
 * After the process exits, how long its stdout may stay open (Go's exec.Cmd.WaitDelay): a
 * background child it left behind holds the pipe, and vault must not wait for that child.
 */
const exitGraceMs = 200

/**
 * Runs the program and resolves with its trimmed stdout. Like aws-vault's helpers, stdin is
 * /dev/null and stderr is vault's own, so the program can talk to the user and write there as
 * much as it likes (nothing is buffered). vault is done when the program exits: a background
 * child holding stdout does not keep it waiting. Rejects with an OutputFailure.
 */
export async function readOutput(c: OutputCommand): Promise<string> {
  const { spawn } = await import('node:child_process') // lazily: ~2 ms a cache hit does not need
  const limitMs = c.timeoutMs ?? 60_000
  return new Promise((resolve, reject) => {
    const child = spawn(c.command, c.args ?? [], {
      shell: c.shell,
      env: c.env,
      stdio: [c.stdin ?? 'ignore', 'pipe', c.stderr ?? 'inherit'],
    })
    // stdout is always a pipe here (stdio[1] is 'pipe').
    const stdoutOf = child.stdout as Readable
    let stdout = ''
    let settled = false
    let timedOut = false
    let grace: NodeJS.Timeout | undefined
    const finish = () => {
      settled = true
      clearTimeout(timer)
      clearTimeout(grace)
      stdoutOf.destroy()
    }
    const fail = (failure: OutputFailure) => {
      finish()
      reject(failure)
    }
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGTERM')
    }, limitMs)
    stdoutOf.setEncoding('utf8')
    stdoutOf.on('data', (chunk: string) => {
      stdout += chunk
      if (stdout.length > c.maxStdout && !settled) {
        child.kill('SIGTERM')
        fail(new OutputFailure(`printed more than ${c.maxStdout / 1024} KiB`, true))
      }
    })
    child.once('error', (err) => {
      if (!settled) fail(new OutputFailure(`could not be started (${err.message})`, false, { cause: err }))
    })
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return
      if (timedOut) return fail(new OutputFailure(`timed out after ${limitMs / 1000} s`))
      if (code !== 0) return fail(new OutputFailure(signal ? `was killed by ${signal}` : `failed (exit ${code})`))
      finish()
      resolve(stdout.trim())
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
