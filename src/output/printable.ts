// C0, DEL and C1 (U+0080 to U+009F: U+009B is a one-character CSI for some terminals).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * `text` with every control character escaped, so a name read from a config file, a keychain or
 * the command line cannot move the cursor, recolour or retitle the terminal it is printed to
 * (issue 15: `vault list` printed ESC sequences in profile names raw). They become \n, \t, \r or
 * \xNN; a backslash stays as it is. Use it wherever a name reaches a terminal: listings and
 * error lines (src/cli/report-error.ts escapes every error line with it).
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** True when `text` holds a character printable() would escape. */
export function hasControlCharacter(text: string): boolean {
  CONTROL.lastIndex = 0
  return CONTROL.test(text)
}
