/**
 * Helpers that make JSON look the way Go's encoding/json reads and writes it, so items are
 * interchangeable with aws-vault.
 */

/** JSON.stringify, plus the escapes json.Marshal adds: <, >, & and U+2028/U+2029 as \u00XX. */
export function goMarshal(value: unknown): string {
  // These characters can only occur inside JSON strings, so a plain replace is safe.
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/**
 * A field of a decoded JSON object the way json.Unmarshal matches it into a struct: the exact
 * name first, then a case-insensitive match.
 */
export function goField(obj: unknown, name: string): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined
  const record = obj as Record<string, unknown>
  if (Object.hasOwn(record, name)) return record[name]
  const lower = name.toLowerCase()
  const match = Object.keys(record).find((k) => k.toLowerCase() === lower)
  return match === undefined ? undefined : record[match]
}

/** A string field, or undefined when absent or of another type. */
export function goString(obj: unknown, name: string): string | undefined {
  const v = goField(obj, name)
  return typeof v === 'string' ? v : undefined
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
