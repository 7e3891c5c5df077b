import { VaultError } from '../errors.js'

interface OclifLikeError extends Error {
  code?: string
  oclif?: { exit?: number }
}

/**
 * The one place errors become output: a single `vault: what is wrong; what to do` line on stderr, and an exit code. Stacks are printed only under --debug.
 * Returns the exit code; the caller exits.
 */
export function reportError(err: unknown, stderr: NodeJS.WritableStream, debug: boolean): number {
  const e = err as OclifLikeError
  // oclif's this.exit(n) and exec's child exit status arrive as EEXIT: nothing to print.
  if (e?.code === 'EEXIT') return e.oclif?.exit ?? 0
  if (err instanceof VaultError) {
    stderr.write(`vault: ${err.message}${err.hint ? `; ${err.hint}` : ''}\n`)
    if (debug && err.stack) stderr.write(`${err.stack}\n`)
    return err.exitCode
  }
  // oclif parse errors (unknown flag, missing arg) carry exit 2 and a message meant for users.
  if (e?.oclif?.exit !== undefined && typeof e.message === 'string') {
    const firstLine =
      stripAnsi(e.message)
        .split('\n')
        .find((l) => l.trim() !== '') ?? 'invalid usage'
    stderr.write(`vault: ${firstLine.trim()}; see vault COMMAND --help\n`)
    if (debug && e.stack) stderr.write(`${e.stack}\n`)
    return e.oclif.exit === 1 ? 2 : e.oclif.exit
  }
  const message = e instanceof Error ? e.message : String(err)
  stderr.write(`vault: unexpected error: ${message.split('\n')[0]}${debug ? '' : '; rerun with --debug for details'}\n`)
  if (debug && e?.stack) stderr.write(`${e.stack}\n`)
  return 1
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}
