/**
 * What shell completion needs to know about one command. The shell-init command builds these from
 * oclif's loaded commands (that is, oclif.manifest.json), so flags are declared once, in the
 * command classes.
 */
export interface CompletionCommand {
  id: string
  summary?: string
  aliases: string[]
  flags: CompletionFlag[]
  /** True when the command's first argument is a profile name. */
  takesProfile: boolean
}

export interface CompletionFlag {
  name: string
  char?: string
  summary?: string
  /** True when the flag takes a value. */
  takesValue: boolean
  /** A boolean flag that also has a --no-NAME form. */
  allowNo?: boolean
  /** The values it accepts, when they are a fixed list. */
  options?: readonly string[]
}

/** Shell functions of the integration, completed like commands; `use` takes export's flags but --format. */
export function shellFunctions(commands: CompletionCommand[]): CompletionCommand[] {
  const exportFlags = commands.find((c) => c.id === 'export')?.flags ?? []
  return [
    {
      id: 'use',
      summary: 'Activate a profile in this shell (replaces the active one).',
      aliases: [],
      flags: exportFlags.filter((f) => f.name !== 'format'),
      takesProfile: true,
    },
    {
      id: 'deactivate',
      summary: 'Unset every variable vault set in this shell.',
      aliases: [],
      flags: [],
      takesProfile: false,
    },
  ]
}

/**
 * Profile names from AWS_CONFIG_FILE (else ~/.aws/config) at completion time: `[default]` and
 * `[profile NAME]` sections, read by awk, so a TAB costs no Node start-up.
 */
export const profilesAwk = String.raw`/^[ \t]*\[/ { s = $0; sub(/^[ \t]*\[[ \t]*/, "", s); sub(/[ \t]*\].*$/, "", s); if (s == "default") print s; else if (s ~ /^profile[ \t]/) { sub(/^profile[ \t]+/, "", s); print s } }`

export function flagWords(flag: CompletionFlag): string[] {
  return [`--${flag.name}`, ...(flag.allowNo ? [`--no-${flag.name}`] : []), ...(flag.char ? [`-${flag.char}`] : [])]
}

/** Single-quoted for POSIX shells and fish (no backslash escapes needed for these words). */
export function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

/**
 * What may follow `vault`: commands without a topic, and the first word of every topic (oclif's
 * ids are sso:populate; the command line, like README, says `vault sso populate`).
 */
export function firstWords(commands: CompletionCommand[]): string[] {
  return [...new Set(commands.flatMap((c) => [c.id, ...c.aliases]).map((id) => id.split(':')[0] as string))]
}

/** Each topic (`sso`, space-separated when nested) and the words that may follow it. */
export function topics(commands: CompletionCommand[]): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const id of commands.flatMap((c) => [c.id, ...c.aliases])) {
    const words = id.split(':')
    for (let i = 1; i < words.length; i++) {
      const topic = words.slice(0, i).join(' ')
      const subs = map.get(topic) ?? []
      if (!subs.includes(words[i] as string)) subs.push(words[i] as string)
      map.set(topic, subs)
    }
  }
  return map
}

/** fish: true once every word of a command (`sso populate`) is on the command line. */
function seenAll(words: string[]): string {
  return words.map((w) => `__fish_seen_subcommand_from ${w}`).join('; and ')
}

/** The bash completion function for the command `bin`; zsh runs it too, through bashcompinit. */
export function bashCompletion(commands: CompletionCommand[], bin = 'vault'): string {
  const all = [...commands, ...shellFunctions(commands)]
  const names = firstWords(all)
  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: shell parameter expansions
  const lines = [
    '__vault_profiles() {',
    '  local f="${AWS_CONFIG_FILE:-$HOME/.aws/config}"',
    `  [ -r "$f" ] && awk ${quote(profilesAwk)} "$f"`,
    '}',
    '_vault_complete() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="${COMP_WORDS[1]}" i',
    '  COMPREPLY=()',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W ${quote(names.join(' '))} -- "$cur"))`,
    '    return 0',
    '  fi',
    // A topic's word is followed by its commands' words (`vault sso populate`): cmd becomes
    // oclif's id (sso:populate), and the command's own words start after it.
    '  local first=2 sub',
    '  while :; do',
    '    case "$cmd" in',
    ...[...topics(all)].map(([topic, subs]) => `      ${topic.replace(/ /g, ':')}) sub=${quote(subs.join(' '))} ;;`),
    '      *) break ;;',
    '    esac',
    '    if [ "$COMP_CWORD" -eq "$first" ]; then',
    '      COMPREPLY=($(compgen -W "$sub" -- "$cur"))',
    '      return 0',
    '    fi',
    '    cmd="$cmd:${COMP_WORDS[first]}"',
    '    first=$((first + 1))',
    '  done',
    '  for ((i = first; i < COMP_CWORD; i++)); do [ "${COMP_WORDS[i]}" = -- ] && return 0; done',
    '  local flags="" profiles=0',
    '  case "$cmd" in',
  ]
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: shell parameter expansions
  for (const c of all) {
    const flags = c.flags.flatMap(flagWords).join(' ')
    lines.push(`    ${[c.id, ...c.aliases].join('|')}) flags=${quote(flags)}; profiles=${c.takesProfile ? 1 : 0} ;;`)
  }
  lines.push('  esac', '  case "$cmd:$prev" in')
  for (const c of all) {
    for (const f of c.flags.filter((x) => x.takesValue)) {
      const pattern = [c.id, ...c.aliases].flatMap((id) => flagWords(f).map((w) => `${id}:${w}`)).join('|')
      const values = f.options ? `COMPREPLY=($(compgen -W ${quote(f.options.join(' '))} -- "$cur")); ` : ''
      lines.push(`    ${pattern}) ${values}return 0 ;;`)
    }
  }
  lines.push(
    '  esac',
    '  if [[ "$cur" == -* ]]; then',
    '    COMPREPLY=($(compgen -W "$flags" -- "$cur"))',
    '  elif [ "$profiles" = 1 ]; then',
    '    COMPREPLY=($(compgen -W "$(__vault_profiles)" -- "$cur"))',
    '  fi',
    '}',
    `complete -o default -F _vault_complete ${bin}`,
  )
  return lines.join('\n')
}

/** fish's declarative completions for the command `bin`. */
export function fishCompletion(commands: CompletionCommand[], bin = 'vault'): string {
  const all = [...commands, ...shellFunctions(commands)]
  const lines = [
    'function __vault_profiles',
    '  set -l f "$AWS_CONFIG_FILE"',
    '  test -n "$f"; or set f "$HOME/.aws/config"',
    `  test -r "$f"; and awk ${quote(profilesAwk)} "$f"`,
    'end',
    `complete -c ${bin} -e`,
    `complete -c ${bin} -f`,
  ]
  for (const [topic, subs] of topics(all)) {
    const words = topic.split(' ')
    const at = words.length === 1 ? '__fish_use_subcommand' : seenAll(words.slice(0, -1))
    lines.push(`complete -c ${bin} -n ${quote(at)} -a ${quote(words.at(-1) ?? '')} -d ${quote(`${topic} commands`)}`)
    const inside = `${seenAll(words)}; and not __fish_seen_subcommand_from ${subs.join(' ')}`
    for (const sub of subs) lines.push(`complete -c ${bin} -n ${quote(inside)} -a ${quote(sub)}`)
  }
  for (const c of all) {
    for (const id of [c.id, ...c.aliases].filter((x) => !x.includes(':'))) {
      lines.push(`complete -c ${bin} -n __fish_use_subcommand -a ${quote(id)} -d ${quote(c.summary ?? '')}`)
    }
    const seen = quote([c.id, ...c.aliases].map((id) => seenAll(id.split(':'))).join('; or '))
    for (const f of c.flags) {
      if (f.allowNo) lines.push(`complete -c ${bin} -n ${seen} -l no-${f.name}`)
      const parts = [`complete -c ${bin} -n ${seen} -l ${f.name}`]
      if (f.char) parts.push(`-s ${f.char}`)
      if (f.takesValue) parts.push(f.options ? `-x -a ${quote(f.options.join(' '))}` : '-r')
      if (f.summary) parts.push(`-d ${quote(f.summary)}`)
      lines.push(parts.join(' '))
    }
  }
  const profileCommands = all.filter((c) => c.takesProfile).flatMap((c) => [c.id, ...c.aliases])
  lines.push(
    `complete -c ${bin} -n ${quote(profileCommands.map((id) => seenAll(id.split(':'))).join('; or '))} -a '(__vault_profiles)'`,
  )
  return lines.join('\n')
}
