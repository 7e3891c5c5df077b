import { UsageError } from '../errors.js'
import { closest } from '../text/closest.js'
import type { CommandSpec } from './command-line.js'

/** What oclif's parse errors carry (src: @oclif/core lib/parser/errors.js). */
interface OclifParseError extends Error {
  flags?: string[]
  args?: Array<{ name?: string } | string>
}

/**
 * oclif's parse errors, as one line that names the command and suggests the fix: an unknown
 * flag gets the nearest real one ("did you mean --region?"), a missing argument gets the usage.
 * Anything it does not recognise is returned unchanged for report-error's generic folding.
 */
export function usageErrorFrom(err: unknown, id: string, spec: CommandSpec, usage: string): unknown {
  const e = err as OclifParseError
  const name = e?.constructor?.name
  const help = `run vault ${id} --help`
  if (name === 'NonExistentFlagsError' && e.flags?.length) {
    const given = e.flags[0]
    const known = Object.entries(spec.flags).flatMap(([flag, f]) => [
      `--${flag}`,
      ...(f.aliases ?? []).map((a) => `--${a}`),
      ...(f.char ? [`-${f.char}`] : []),
    ])
    const suggestion = closest(given.replace(/=.*/, ''), known)
    return new UsageError(
      `unknown flag ${given} for "vault ${id}"`,
      suggestion ? `did you mean ${suggestion}? Or ${help}` : help,
    )
  }
  if (name === 'RequiredArgsError') {
    const missing = (e.args ?? []).map((a) => (typeof a === 'string' ? a : (a.name ?? '')).toUpperCase())
    return new UsageError(`"vault ${id}" needs ${missing.join(' and ')}`, `usage: vault ${usage}`)
  }
  if (name === 'UnexpectedArgsError') {
    const extra = (e.args ?? []).map((a) => JSON.stringify(String(a))).join(' ')
    return new UsageError(`unexpected argument ${extra} for "vault ${id}"`, `usage: vault ${usage}`)
  }
  if (name === 'FailedFlagValidationError' || name === 'ViolatedFlagConstraintError') {
    // oclif keeps only the message ("--profiles=true cannot also be provided when using --sessions").
    const flags = [...new Set(e.message.match(/--[a-z0-9-]+/g) ?? [])].filter((f) => f !== '--help').sort()
    return new UsageError(`${flags.join(' and ')} cannot be used together`, help)
  }
  if (name === 'FlagInvalidOptionError') {
    const m = /Expected (--\S+?)=(.*) to be one of: (.*)/.exec(e.message)
    if (m) return new UsageError(`${m[1]} "${m[2]}" is not one of: ${m[3].trim()}`, help)
  }
  if (name === 'ArgInvalidOptionError') {
    // oclif: "Expected powershell to be one of: bash, zsh, fish"; the argument is the one whose list that is.
    const m = /^Expected (.*) to be one of: ([^\n]*)/.exec(e.message)
    const arg = m && Object.entries(spec.args).find(([, a]) => a.options?.join(', ') === m[2])
    if (m && arg) return new UsageError(`${arg[0].toUpperCase()} "${m[1]}" is not one of: ${m[2]}`, help)
  }
  if (name === 'FlagInvalidOptionError' || name === 'ArgInvalidOptionError' || name === 'CLIError') {
    // "Expected --format=yaml to be one of: env, …" and "Flag --region expects a value".
    const line = e.message
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^See more help with/.test(l))
      .join(' ')
    return new UsageError(line.replace(/^Flag (--\S+) expects a value/, '$1 needs a value'), help)
  }
  return err
}
