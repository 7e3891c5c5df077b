import { ConfigError } from '../errors.js'

/** The keys that link one profile to another, and what the user changes to break a loop of them. */
const breakWith = {
  include_profile: 'remove include_profile from one of these profiles',
  source_profile: 'change source_profile in one of these profiles',
} as const

/**
 * The error for a profile reached again along `path` (the profiles followed so far, first to
 * last) through `key`, naming the loop from its first repeat ("a → b → a"); undefined when `next`
 * is not on the path. The one wording of both loops (src/config/layers.ts, resolve.ts).
 */
export function cycleError(
  key: keyof typeof breakWith,
  path: readonly string[],
  next: string,
  file: string,
): ConfigError | undefined {
  const at = path.indexOf(next)
  if (at < 0) return undefined
  const cycle = [...path.slice(at), next].join(' → ')
  return new ConfigError(`${key} cycle: ${cycle} in ${file}`, breakWith[key])
}
