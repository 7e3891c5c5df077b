import type { Readable } from 'node:stream'
import { killGroup, ownGroup } from './process-group.js'

/**
 * A program vault asks for output on stdout: mfa_process, ykman, web_identity_token_process,
 * credential_process, pass (and gpg under it).
 */
export interface OutputCommand {
  command: string
  args?: string[]
  /** Through /bin/sh -c, as aws-vault runs mfa_process and web_identity_token_process. */
  shell?: boolean
  env: Record<string, string | undefined>
  /** Given up after this long; 60 s by default. */
  timeoutMs?: number
  /** More stdout than this is a mistake: stop reading. */
  maxStdout: number
  /**
   * The program's stdin: a file descriptor (e.g. the controlling terminal's), or text written to a
   * pipe (a secret for `pass insert`); /dev/null by default.
   */
  stdin?: number | { text: string }
  /**
   * The program's stderr: a file descriptor, vault's own by default, or 'capture' to keep its last
   * lines (up to 64 KiB) for the error message.
   */
  stderr?: number | 'capture'
  /**
   * Runs the program in its own process group and kills the group at the deadline (pass runs gpg,
   * which may be the one stuck).
   */
  group?: boolean
}

/** What the program printed, when it succeeded. */
export interface Output {
  stdout: string
  stderr: string
}

/** Why the program gave no output; `cause` is the spawn error when it could not start (ENOENT). */
export class OutputFailure extends Error {
  constructor(
    readonly why: string,
    readonly tooLarge = false,
    options?: ErrorOptions & { timedOut?: boolean; exitCode?: number | null; stderr?: string },
  ) {
    super(why, options)
    this.timedOut = options?.timedOut ?? false
    this.exitCode = options?.exitCode ?? null
    this.stderr = options?.stderr ?? ''
  }
  readonly timedOut: boolean
  readonly exitCode: number | null
  /** The captured stderr (with stderr: 'capture'). */
  readonly stderr: string
}

/**
 * After the process exits, how long its stdout may stay open (Go's exec.Cmd.WaitDelay): a
 * background child it left behind holds the pipe, and vault must not wait for that child.
 */
const exitGraceMs = 200
/** Captured stderr is kept to its last this many characters. */
const maxStderr = 64 * 1024

/**
 * Runs the program and resolves with its trimmed stdout. Like aws-vault's helpers, stdin is
 * /dev/null and stderr is vault's own, so the program can talk to the user and write there as
 * much as it likes (nothing is buffered). Rejects with an OutputFailure.
 */
export async function readOutput(c: OutputCommand): Promise<string> {
  return (await runForOutput(c)).stdout.trim()
}

/**
 * Runs the program under three rules: vault is done when the program exits (a background child
 * holding stdout does not keep it waiting); at the deadline vault kills it (its group with
 * `group`) and returns at once, whoever still holds the pipes (a grandchild in its own session);
 * and more than `maxStdout` of output stops the reading and kills it. Rejects with an OutputFailure.
 */
export async function runForOutput(c: OutputCommand): Promise<Output> {
  const { spawn } = await import('node:child_process') // lazily: ~2 ms a cache hit does not need
  const limitMs = c.timeoutMs ?? 60_000
  const group = c.group === true && ownGroup(process.platform).detached
  return new Promise((resolve, reject) => {
    const stdin = c.stdin === undefined ? 'ignore' : typeof c.stdin === 'number' ? c.stdin : 'pipe'
    const stderrTo = c.stderr === 'capture' ? 'pipe' : (c.stderr ?? 'inherit')
    const child = spawn(c.command, c.args ?? [], {
      shell: c.shell,
      env: c.env,
      stdio: [stdin, 'pipe', stderrTo],
      detached: group,
    })
    // stdout is always a pipe here (stdio[1] is 'pipe').
    const stdoutOf = child.stdout as Readable
    let stdout = ''
    let stderr = ''
    let settled = false
    let grace: NodeJS.Timeout | undefined
    const kill = (signal: NodeJS.Signals) => {
      try {
        // A group is only ever killed outright (SIGKILL), as killGroup does.
        if (group && child.pid !== undefined) killGroup(child.pid, process.platform)
        else child.kill(signal)
      } catch {
        // Already gone.
      }
    }
    const finish = () => {
      settled = true
      clearTimeout(timer)
      clearTimeout(grace)
      stdoutOf.destroy()
      child.stderr?.destroy()
    }
    const fail = (why: string, extra: { tooLarge?: boolean; timedOut?: boolean; exitCode?: number | null } = {}) => {
      finish()
      reject(new OutputFailure(why, extra.tooLarge, { ...extra, stderr }))
    }
    const timer = setTimeout(() => {
      if (settled) return
      // SIGKILL for a group (gpg waiting on a pinentry ignores nothing, but a script may trap
      // TERM); the process alone gets TERM, as before. Either way vault stops waiting now.
      kill(group ? 'SIGKILL' : 'SIGTERM')
      fail(`timed out after ${limitMs / 1000} s`, { timedOut: true })
    }, limitMs)
    stdoutOf.setEncoding('utf8')
    stdoutOf.on('data', (chunk: string) => {
      stdout += chunk
      if (stdout.length > c.maxStdout && !settled) {
        kill(group ? 'SIGKILL' : 'SIGTERM')
        fail(`printed more than ${formatSize(c.maxStdout)}`, { tooLarge: true })
      }
    })
    if (c.stderr === 'capture') {
      child.stderr?.setEncoding('utf8')
      child.stderr?.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-maxStderr)
      })
    }
    if (typeof c.stdin === 'object') {
      child.stdin?.on('error', () => {}) // it may exit before reading; its exit status tells.
      child.stdin?.end(c.stdin.text)
    }
    child.once('error', (err) => {
      if (!settled) {
        finish()
        reject(new OutputFailure(`could not be started (${err.message})`, false, { cause: err, stderr }))
      }
    })
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return
      if (code !== 0) return fail(signal ? `was killed by ${signal}` : `failed (exit ${code})`, { exitCode: code })
      finish()
      resolve({ stdout, stderr })
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

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`
}
