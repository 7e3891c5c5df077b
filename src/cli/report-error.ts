import { isVaultError } from '../errors.js'
import { printable } from '../output/printable.js'
import { adviseWith, defaultBin } from './bin-name.js'

interface OclifLikeError extends Error {
  code?: string
  oclif?: { exit?: number }
}

/**
 * The one place errors become output: a single `vault: what is wrong; what to do` line on stderr, and an exit code. Stacks are printed only under --debug.
 * Returns the exit code; the caller exits. Advice names `bin`, the command the user ran.
 */
export function reportError(err: unknown, stderr: NodeJS.WritableStream, debug: boolean, bin = defaultBin): number {
  const e = err as OclifLikeError
  // oclif's this.exit(n) and exec's child exit status arrive as EEXIT: nothing to print.
  if (e?.code === 'EEXIT') return e.oclif?.exit ?? 0
  if (isVaultError(err)) {
    // oclif prefixes errors thrown by a flag's parse() with "Parsing --flag\n\t": keep the inner line.
    const message = err.message.replace(/^Parsing --\S+\s*\n\s*/, '').replace(/\s*\n\s*/g, ' ')
    stderr.write(`vault: ${printable(adviseWith(`${message}${err.hint ? `; ${err.hint}` : ''}`, bin))}\n`)
    if (debug && err.stack) stderr.write(`${err.stack}\n`)
    return err.exitCode
  }
  // oclif parse errors (unknown flag, bad value, missing arg) carry a message meant for users,
  // sometimes over several lines: it is folded into one, and the exit code is 2 (usage).
  const parseError = e?.oclif?.exit !== undefined || /ParsingError|ValidationError/.test(e?.constructor?.name ?? '')
  if (parseError && typeof e.message === 'string') {
    const folded = stripAnsi(e.message)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !/^See more help with/.test(l) && !/^The following errors? occurred:$/.test(l))
      .join(' ')
      .replace(/: (?=\S)/, ': ')
    stderr.write(`vault: ${printable(folded) || 'invalid usage'}; see ${bin} COMMAND --help\n`)
    if (debug && e.stack) stderr.write(`${e.stack}\n`)
    return e.oclif?.exit === undefined || e.oclif.exit === 1 ? 2 : e.oclif.exit
  }
  const message = e instanceof Error ? e.message : String(err)
  stderr.write(
    `vault: unexpected error: ${printable(message.split('\n')[0])}${debug ? '' : '; rerun with --debug for details'}\n`,
  )
  if (debug && e?.stack) stderr.write(`${e.stack}\n`)
  return 1
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}
