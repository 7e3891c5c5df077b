import { closeSync, openSync } from 'node:fs'
import { ReadStream, WriteStream } from 'node:tty'
import { CancelledError, UsageError } from '../errors.js'

/** Interactive questions, asked on the controlling terminal. */
export interface Prompts {
  text(message: string): Promise<string>
  /** Typed characters are masked. */
  secret(message: string): Promise<string>
  confirm(message: string): Promise<boolean>
}

/**
 * @inquirer/prompts on /dev/tty, so prompts work when stdin or stdout are redirected. The library
 * is imported only when a question is actually asked.
 */
export function terminalPrompts(hint: string): Prompts {
  const ask = async <T>(
    fn: (p: typeof import('@inquirer/prompts'), ctx: { input: ReadStream; output: WriteStream }) => Promise<T>,
  ): Promise<T> => {
    let fd: number
    try {
      fd = openSync('/dev/tty', 'r+')
    } catch {
      throw new UsageError('there is no terminal to ask on', hint)
    }
    const input = new ReadStream(fd)
    const output = new WriteStream(fd)
    try {
      return await fn(await import('@inquirer/prompts'), { input, output })
    } catch (err) {
      if ((err as Error).name === 'ExitPromptError') throw new CancelledError('cancelled')
      throw err
    } finally {
      input.destroy()
      output.destroy()
      try {
        closeSync(fd)
      } catch {}
    }
  }
  return {
    text: (message) => ask((p, ctx) => p.input({ message }, ctx)),
    secret: (message) => ask((p, ctx) => p.password({ message, mask: '*' }, ctx)),
    confirm: (message) => ask((p, ctx) => p.confirm({ message, default: false }, ctx)),
  }
}
