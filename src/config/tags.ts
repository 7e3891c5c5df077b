/**
 * Parse session_tags / AWS_SESSION_TAGS: `key=value,key2=value2`, each side trimmed. An entry
 * without `=` (an empty one from a stray comma included, as aws-vault's SetSessionTags refuses it)
 * or with an empty key throws a RangeError that the caller turns into an error naming the profile.
 */
export function parseSessionTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {}
  for (const entry of text.split(',')) {
    if (entry.trim() === '')
      throw new RangeError(`"${text}" has an empty entry; write session_tags as key1=value1,key2=value2`)
    const eq = entry.indexOf('=')
    const key = eq < 0 ? '' : entry.slice(0, eq).trim()
    if (key === '') {
      throw new RangeError(`"${entry.trim()}" is not key=value; write session_tags as key1=value1,key2=value2`)
    }
    tags[key] = entry.slice(eq + 1).trim()
  }
  return tags
}

/** Parse transitive_session_tags / AWS_TRANSITIVE_TAGS: `key1,key2`, trimmed, empties dropped (as aws-vault). */
export function parseTransitiveTags(text: string): string[] {
  const keys: string[] = []
  for (const entry of text.split(',')) {
    const key = entry.trim()
    if (key !== '') keys.push(key)
  }
  return keys
}
