import { ConfigError } from '../errors.js'
import type { ConfigFile } from './config-file.js'
import { cycleError } from './cycle.js'
import { label } from './ini.js'
import type { ConfigSection } from './types.js'

/** Where a key was set, as file:line, for error messages. */
export function keyLocation(section: ConfigSection, key: string): string {
  return `${section.file}:${section.keyLines?.[key] ?? section.line}`
}

/**
 * The sections a profile reads its settings from, highest precedence first: its own section,
 * its include_profile chain (depth first), then [default] and [default]'s include chain.
 *
 * aws-vault only falls back to [default] at the end of an include chain, and reports a loop
 * when [default] includes the profile being resolved. vault treats that fallback as implicit:
 * sections already read are skipped, and only a cycle of explicit include_profile keys is an
 * error, named in full (a → b → a).
 */
export function profileLayers(config: ConfigFile, name: string): ConfigSection[] {
  const layers: ConfigSection[] = []
  const visited = new Set<string>()
  followIncludes(config, name, layers, visited)
  if (name !== 'default' && !visited.has('default')) followIncludes(config, 'default', layers, visited)
  return layers
}

function followIncludes(config: ConfigFile, start: string, layers: ConfigSection[], visited: Set<string>): void {
  const path: string[] = []
  let from: ConfigSection | undefined
  let name: string | undefined = start
  while (name !== undefined) {
    const cycle = cycleError('include_profile', path, name, config.path)
    if (cycle) throw cycle
    if (visited.has(name)) return
    path.push(name)
    visited.add(name)
    const section = config.section(name)
    if (section === undefined) {
      if (from === undefined) return
      throw new ConfigError(
        `${keyLocation(from, 'include_profile')}: ${label(from)} includes profile "${name}", which is not in ${config.path}`,
      )
    }
    layers.push(section)
    from = section
    name = section.values.include_profile || undefined
  }
}
