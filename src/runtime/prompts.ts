import { CancelledError, UsageError } from '../errors.js'
import { openTerminal, type Terminal } from './terminal.js'

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
    fn: (p: typeof import('@inquirer/prompts'), ctx: Pick<Terminal, 'input' | 'output'>) => Promise<T>,
  ): Promise<T> => {
    let tty: Terminal
    try {
      tty = await openTerminal()
    } catch {
      throw new UsageError('there is no terminal to ask on', hint)
    }
    try {
      return await fn(await import('@inquirer/prompts'), { input: tty.input, output: tty.output })
    } catch (err) {
      if ((err as Error).name === 'ExitPromptError') throw new CancelledError('cancelled')
      throw err
    } finally {
      tty.close()
    }
  }
  return {
    text: (message) => ask((p, ctx) => p.input({ message }, ctx)),
    secret: (message) => ask((p, ctx) => p.password({ message, mask: '*' }, ctx)),
    confirm: (message) => ask((p, ctx) => p.confirm({ message, default: false }, ctx)),
  }
}
