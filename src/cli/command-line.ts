/**
 * The command line, read from its one declaration: the oclif command classes, in the shape their
 * generated form `oclif.manifest.json` has. Nothing here names a flag: the fast path parses with
 * the manifest, and `exec` finds where the child's command starts with the same code, so a flag
 * added to a command needs no second edit anywhere.
 *
 * No oclif import: the cache-hit fast path bundles this file.
 */

export interface FlagSpec {
  type: 'boolean' | 'option'
  char?: string
  aliases?: string[]
  charAliases?: string[]
  env?: string
  options?: readonly string[]
  default?: unknown
  multiple?: boolean
  allowNo?: boolean
  exclusive?: string[]
  dependsOn?: string[]
  exactlyOne?: string[]
  relationships?: unknown[]
  helpGroup?: string
}

export interface ArgSpec {
  required?: boolean
  default?: unknown
  options?: readonly string[]
}

/** One command as oclif.manifest.json lists it (and as oclif's command classes declare it). */
export interface CommandSpec {
  id?: string
  aliases?: string[]
  hiddenAliases?: string[]
  /** false: the command takes a command line of its own after its arguments (exec). */
  strict?: boolean
  args: Record<string, ArgSpec>
  flags: Record<string, FlagSpec>
}

export interface Manifest {
  commands: Record<string, CommandSpec>
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>

/** A command line the fast path fully understands, parsed as oclif would parse it. */
export interface ParsedLine {
  id: string
  args: Record<string, string | undefined>
  flags: FlagValues
  /** The raw arguments after the command's own (non-strict commands only), byte for byte. */
  passthrough: string[]
}

interface Match {
  name: string
  flag: FlagSpec
  /** `--name=value` or `-cvalue`: the value glued to the flag. */
  inline?: string
  /** `--no-name`. */
  negated?: boolean
}

/** The flag an argv token names, as oclif's parser finds it: `--name`, `--alias`, `-c`, `--name=v`, `-cv`. */
function findFlag(flags: Record<string, FlagSpec>, token: string): Match | undefined {
  if (token.startsWith('--')) {
    const eq = token.indexOf('=')
    const name = eq === -1 ? token.slice(2) : token.slice(2, eq)
    const inline = eq === -1 ? undefined : token.slice(eq + 1)
    for (const [key, flag] of Object.entries(flags)) {
      if (key === name || flag.aliases?.includes(name)) return { name: key, flag, inline }
      if (flag.type === 'boolean' && flag.allowNo && name === `no-${key}`)
        return { name: key, flag, inline, negated: true }
    }
    return undefined
  }
  if (token.startsWith('-') && token.length >= 2) {
    const char = token[1]
    for (const [key, flag] of Object.entries(flags)) {
      if (flag.char === char || flag.charAliases?.includes(char)) {
        const rest = token.slice(2)
        return { name: key, flag, inline: rest === '' ? undefined : rest.replace(/^=/, '') }
      }
    }
  }
  return undefined
}

/** How many argv tokens a flag token takes: 2 for an option flag whose value is the next token. */
function flagWidth(flags: Record<string, FlagSpec>, token: string): number {
  const m = findFlag(flags, token)
  return m && m.flag.type === 'option' && m.inline === undefined ? 2 : 1
}

/**
 * Splits a non-strict command's argv (exec) into its own arguments and the command line it runs.
 * The command line is everything after the first `--`, or from the first positional after the
 * command's declared arguments, taken byte for byte: nothing in it is read as a flag, reordered
 * or dropped. Flags may come before or after the declared arguments.
 */
export function splitPassthrough(
  spec: CommandSpec,
  argv: string[],
): { own: string[]; passthrough: string[]; dashdash: boolean } {
  const declared = Object.keys(spec.args).length
  let positionals = 0
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]
    if (token === '--') return { own: argv.slice(0, i), passthrough: argv.slice(i + 1), dashdash: true }
    if (token.startsWith('-') && token !== '-') {
      i += flagWidth(spec.flags, token) - 1
      continue
    }
    if (positionals === declared) return { own: argv.slice(0, i), passthrough: argv.slice(i), dashdash: false }
    positionals++
  }
  return { own: argv, passthrough: [], dashdash: false }
}

/**
 * The global flags: those in the GLOBAL help group that every command with such flags shares (the
 * base command's). They may also come before the command.
 */
export function globalFlags(manifest: Manifest): Record<string, FlagSpec> {
  const isGlobal = (f: FlagSpec) => f.helpGroup === 'GLOBAL'
  const commands = Object.values(manifest.commands).filter((c) => Object.values(c.flags).some(isGlobal))
  const shared: Record<string, FlagSpec> = {}
  for (const [name, flag] of Object.entries(commands[0]?.flags ?? {})) {
    if (isGlobal(flag) && commands.every((c) => c.flags[name] && isGlobal(c.flags[name]))) shared[name] = flag
  }
  return shared
}

/** The command an argv starts with (its id may span words, `sso populate`), and how many words. */
export function findCommand(
  manifest: Manifest,
  argv: string[],
): { id: string; spec: CommandSpec; words: number } | undefined {
  let found: { id: string; spec: CommandSpec; words: number } | undefined
  for (let words = 1; words <= argv.length && !argv[words - 1].startsWith('-'); words++) {
    const name = argv.slice(0, words).join(':')
    for (const [id, spec] of Object.entries(manifest.commands)) {
      if (id === name || spec.aliases?.includes(name) || spec.hiddenAliases?.includes(name)) found = { id, spec, words }
    }
  }
  return found
}

/**
 * The argv in the form oclif reads. Global flags may come before the command, as aws-vault takes
 * them (`vault --debug exec dev`): they move to just after the command's name. Anything else
 * before the command (--help, --version) is left for oclif.
 */
export function normalizeArgv(manifest: Manifest, argv: string[]): string[] {
  const global = globalFlags(manifest)
  let i = 0
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') {
    if (!findFlag(global, argv[i])) return argv
    i += flagWidth(global, argv[i])
  }
  if (i >= argv.length) return argv
  const command = findCommand(manifest, argv.slice(i))
  // An unknown command: the flags still move behind its name, so oclif names the command.
  if (!command) return i === 0 ? argv : [argv[i], ...argv.slice(0, i), ...argv.slice(i + 1)]
  const name = argv.slice(i, i + command.words)
  let rest = [...argv.slice(0, i), ...argv.slice(i + command.words)]
  if (command.spec.strict === false) {
    // A command line after exec's profile without `--` gets one, so that neither oclif's help
    // (`-h` anywhere before a `--`) nor its flag parser reads the child's arguments.
    const { own, passthrough, dashdash } = splitPassthrough(command.spec, rest)
    if (!dashdash && passthrough.length > 0) rest = [...own, '--', ...passthrough]
  }
  return [...name, ...rest]
}

const truthy = new Set(['1', 'true', 'y', 'yes'])

/**
 * Parses an argv exactly as oclif would, for the forms this function fully understands; returns
 * undefined for anything else (help, an unknown or repeated flag, a missing value, a value
 * outside `options`, exclusive flags together, flags with relationships, a missing or extra
 * argument), which the full CLI then parses and reports. Values fall back to the flag's `env`
 * variable, then its declared default, as in oclif.
 */
export function parseLine(manifest: Manifest, argv: string[], env: NodeJS.ProcessEnv): ParsedLine | undefined {
  const command = findCommand(manifest, argv)
  if (!command) return undefined
  const { spec } = command
  const rest = argv.slice(command.words)
  const { own, passthrough } = spec.strict === false ? splitPassthrough(spec, rest) : { own: rest, passthrough: [] }
  const flags: FlagValues = {}
  const positionals: string[] = []
  for (let i = 0; i < own.length; i++) {
    const token = own[i]
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token)
      continue
    }
    if (token === '--') return undefined // a strict command's `--`: oclif's business
    const m = findFlag(spec.flags, token)
    if (!m || m.flag.relationships || m.flag.dependsOn || m.flag.exactlyOne) return undefined
    if (m.flag.type === 'boolean') {
      if (m.inline !== undefined) {
        // `-nj`: several boolean chars in one token.
        if (token.startsWith('--')) return undefined
        const chars = token.slice(1).split('')
        for (const c of chars) {
          const b = findFlag(spec.flags, `-${c}`)
          if (b?.flag.type !== 'boolean' || b.flag.relationships || flags[b.name] !== undefined) return undefined
          flags[b.name] = true
        }
        continue
      }
      if (flags[m.name] !== undefined) return undefined
      flags[m.name] = !m.negated
      continue
    }
    let value = m.inline
    if (value === undefined) {
      value = own[++i]
      if (value === undefined || findFlag(spec.flags, value)) return undefined
    }
    if (m.flag.options && !m.flag.options.includes(value)) return undefined
    if (m.flag.multiple) flags[m.name] = [...((flags[m.name] as string[] | undefined) ?? []), value]
    else if (flags[m.name] !== undefined) return undefined
    else flags[m.name] = value
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flags[name] !== undefined) {
      if (flag.exclusive?.some((other) => flags[other] !== undefined)) return undefined
      continue
    }
    const fromEnv = flag.env ? env[flag.env] : undefined
    if (fromEnv) {
      if (flag.type === 'boolean') flags[name] = truthy.has(fromEnv.toLowerCase())
      else if (flag.options && !flag.options.includes(fromEnv)) return undefined
      else flags[name] = fromEnv
    } else if (flag.default !== undefined) {
      flags[name] = flag.default as string | boolean
    }
  }
  const names = Object.keys(spec.args)
  if (positionals.length > names.length) return undefined
  const args: Record<string, string | undefined> = {}
  for (const [i, name] of names.entries()) {
    const arg = spec.args[name]
    const value = positionals[i] ?? (arg.default as string | undefined)
    if (value === undefined && arg.required) return undefined
    if (value !== undefined && arg.options && !arg.options.includes(value)) return undefined
    args[name] = value
  }
  return { id: command.id, args, flags, passthrough }
}
