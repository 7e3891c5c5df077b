/**
 * Quoting for shells, one function per grammar. Values are assumed hostile: quotes, backslashes
 * (a trailing one too), `$(…)`, backticks, line breaks and escape sequences all come back as the
 * same bytes, and nothing in them runs.
 */

/** Characters every consumer (POSIX shells, fish, docker --env-file, systemd) reads literally. */
const SAFE = /^[\w@+=:,./-]+$/

/** True when `value` needs no quoting anywhere: it means itself to every reader. */
export function safeWord(value: string): boolean {
  return SAFE.test(value)
}

/** POSIX sh, bash, zsh: nothing is an escape inside '…', so only ' itself needs care ('\''). */
export function posixQuote(value: string): string {
  return safeWord(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}

/**
 * fish: inside '…' it reads \' and \\ as escapes (unlike POSIX), so both are escaped; everything
 * else, line breaks included, is literal there.
 */
export function fishQuote(value: string): string {
  return safeWord(value) ? value : `'${value.replace(/[\\']/g, '\\$&')}'`
}
