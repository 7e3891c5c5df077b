import { CancelledError, UsageError } from '../errors.js'
import { printable } from '../output/printable.js'
import { openTerminal, type Terminal } from './open.js'

/**
 * The one way vault asks the user something: on the controlling terminal (/dev/tty), not on stdio,
 * so a question still reaches the user while stdout is a pipe (`vault export`, an SDK's
 * credential_process, botocore running mfa_process). The passphrase of the file backend, the MFA
 * code, and add's and remove's questions all come through here.
 */
export interface AskOptions {
  /** The error to throw when there is no controlling terminal; given why it could not be opened. */
  noTerminal(err: Error): Error
  /** The message of the CancelledError thrown when the user presses Ctrl-C (or Ctrl-D) in a question. */
  cancelled: string
  /** How long the user has to answer, for the whole conversation; 5 minutes unless set. */
  deadlineMs?: number
}

/** What a conversation on the terminal can do; everything it prints has its control characters escaped. */
export interface Conversation {
  /** Prints `text` as it is, bar control characters (a name from a config file cannot move the cursor). */
  print(text: string): void
  /** Prints `prompt` and reads one line, echoed; undefined when the terminal closes first. */
  line(prompt: string): Promise<string | undefined>
  /** A question whose answer is not echoed: each typed character shows as `mask` (`true`: "*"). */
  hidden(message: string, mask: string | true): Promise<string>
  text(message: string): Promise<string>
  /** A yes/no question, "no" unless answered. */
  confirm(message: string): Promise<boolean>
}

/** A user who walked away must not leave vault (and whatever waits on it) hanging forever. */
export const defaultDeadlineMs = 5 * 60_000

/**
 * Opens the controlling terminal, runs `talk` on it, and closes it. Rejects with `noTerminal`'s
 * error when there is none, with a CancelledError when the user cancels or `deadlineMs` passes.
 */
export async function onTerminal<T>(o: AskOptions, talk: (c: Conversation) => Promise<T>): Promise<T> {
  let tty: Terminal
  try {
    tty = await openTerminal()
  } catch (err) {
    throw o.noTerminal(err as Error)
  }
  const deadlineMs = o.deadlineMs ?? defaultDeadlineMs
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), deadlineMs)
  const late = () => new CancelledError(`no answer on the terminal within ${formatWait(deadlineMs)}`)
  try {
    // node:readline is loaded only when a terminal is opened: the cache-hit path, which imports this
    // module through the stores, must not load it (test/e2e/fast-path.e2e.test.ts).
    const { createInterface } = await import('node:readline')
    return await talk(conversation(tty, deadline.signal, o.cancelled, createInterface))
  } catch (err) {
    if (deadline.signal.aborted) throw late()
    throw err
  } finally {
    clearTimeout(timer)
    tty.close()
  }
}

type CreateInterface = typeof import('node:readline').createInterface

function conversation(
  tty: Terminal,
  signal: AbortSignal,
  cancelled: string,
  createInterface: CreateInterface,
): Conversation {
  const context = { input: tty.input, output: tty.output, signal }
  const inquirer = async <T>(ask: (p: typeof import('@inquirer/prompts')) => Promise<T>): Promise<T> => {
    // Loaded only when a question is asked: the paths that ask are rare.
    const prompts = await import('@inquirer/prompts')
    try {
      return await ask(prompts)
    } catch (err) {
      if ((err as Error).name === 'ExitPromptError') throw new CancelledError(cancelled)
      throw err
    }
  }
  let lines: LineReader | undefined
  return {
    print: (text) => void tty.output.write(printable(text)),
    line: (prompt) => {
      lines ??= lineReader(tty, signal, createInterface)
      tty.output.write(printable(prompt))
      return lines.next()
    },
    hidden: (message, mask) => inquirer((p) => p.password({ message: printable(message), mask }, context)),
    text: (message) => inquirer((p) => p.input({ message: printable(message) }, context)),
    confirm: (message) => inquirer((p) => p.confirm({ message: printable(message), default: false }, context)),
  }
}

interface LineReader {
  next(): Promise<string | undefined>
}

/** Lines as typed (the terminal echoes them), read one at a time; undefined at the end or the deadline. */
function lineReader(tty: Terminal, signal: AbortSignal, createInterface: CreateInterface): LineReader {
  const rl = createInterface({ input: tty.input, output: tty.output, terminal: false, signal })
  const closed = new Promise<undefined>((resolve) => rl.once('close', () => resolve(undefined)))
  const pending: string[] = []
  let wake: (() => void) | undefined
  rl.on('line', (line) => {
    pending.push(line)
    wake?.()
  })
  return {
    async next() {
      if (pending.length === 0) await Promise.race([new Promise<void>((r) => (wake = r)), closed])
      signal.throwIfAborted()
      return pending.shift()
    },
  }
}

function formatWait(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`
}

/** add's and remove's questions, as a port the use cases receive (tests pass their own answers). */
export interface Prompts {
  text(message: string): Promise<string>
  /** Typed characters are masked. */
  secret(message: string): Promise<string>
  confirm(message: string): Promise<boolean>
}

/** Prompts on the controlling terminal; with none, a UsageError whose hint is `hint`. */
export function terminalPrompts(hint: string): Prompts {
  const options: AskOptions = {
    noTerminal: () => new UsageError('there is no terminal to ask on', hint),
    cancelled: 'cancelled',
  }
  return {
    text: (message) => onTerminal(options, (c) => c.text(message)),
    secret: (message) => onTerminal(options, (c) => c.hidden(message, '*')),
    confirm: (message) => onTerminal(options, (c) => c.confirm(message)),
  }
}
