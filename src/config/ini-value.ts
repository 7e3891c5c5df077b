// Character-level helpers for ini.ts, kept apart so the parser reads as a walk over lines.

export const TAB = 9
export const NEWLINE = 10
export const SPACE = 32
export const HASH = 35
export const SEMICOLON = 59
export const LEFT_BRACKET = 91
const DOUBLE_QUOTE = 34
const SINGLE_QUOTE = 39

export function isBlank(code: number): boolean {
  return code === SPACE || code === TAB
}

export function isCommentStart(code: number): boolean {
  return code === HASH || code === SEMICOLON
}

/** First index at or after `from` (and before `end`) that is not a space or tab. */
export function skipBlanks(text: string, from: number, end: number): number {
  let i = from
  while (i < end && isBlank(text.charCodeAt(i))) i++
  return i
}

/**
 * True when the value part of a line (after `=`, up to `end`) is empty or only a comment. Such a
 * key may open an indented nested block (`s3 =` then indented lines), as go-ini and botocore allow.
 */
export function opensNestedBlock(text: string, afterEquals: number, end: number): boolean {
  const v = skipBlanks(text, afterEquals, end)
  return v === end || (v > afterEquals && isCommentStart(text.charCodeAt(v)))
}

/**
 * The value of a `key = value` line, from just after `=` up to `end`: inline comment removed,
 * trimmed. A value that is one quoted string loses its quotes, as go-ini does, so aws-vault
 * configs read the same. Only a `#` or `;` that follows whitespace starts a comment, so
 * `https://x.awsapps.com/start#/` is kept whole.
 */
export function readValue(text: string, afterEquals: number, end: number): string {
  const v = skipBlanks(text, afterEquals, end)
  if (v === end || (v > afterEquals && isCommentStart(text.charCodeAt(v)))) return ''
  // Working on the short slice keeps every search bounded by the line.
  const raw = text.slice(v, end)
  const first = raw.charCodeAt(0)
  if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) {
    const close = raw.indexOf(raw[0] as string, 1)
    if (close > 0) {
      const after = skipBlanks(raw, close + 1, raw.length)
      if (after === raw.length || (after > close + 1 && isCommentStart(raw.charCodeAt(after))))
        return raw.slice(1, close)
    }
  }
  if (raw.indexOf('#') < 0 && raw.indexOf(';') < 0) return raw.trimEnd()
  for (let i = 1; i < raw.length; i++) {
    if (isCommentStart(raw.charCodeAt(i)) && isBlank(raw.charCodeAt(i - 1))) return raw.slice(0, i).trimEnd()
  }
  return raw.trimEnd()
}

/** The start of a bad line, quoted; short, because a stray line could hold something private. */
export function excerpt(line: string): string {
  const t = line.trim()
  return JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t)
}
