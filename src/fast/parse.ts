import type { ExportFormat } from '../output/format.js'

/** The invocations the fast path serves; anything else goes to oclif. */
export type FastCommand =
  | { id: 'export'; profile: string; format: ExportFormat; flags: CommonFlags }
  | { id: 'exec'; profile: string; json: boolean; command?: string; args: string[]; flags: CommonFlags }
  | { id: 'list'; mode: 'table' | 'profiles' | 'credentials' | 'sessions' | 'json'; flags: CommonFlags }

export interface CommonFlags {
  backend?: string
  prompt?: string
  region?: string
  duration?: string
  mfaToken?: string
  noSession: boolean
}

const formats = new Set(['env', 'export-env', 'ini', 'json'])

/**
 * A deliberately strict parser for the common, hot invocations (SDKs calling credential_process,
 * scripts calling exec in loops). It returns undefined for anything it does not fully understand
 * (help, --debug, unknown or server flags, `--flag=value` forms it does not know, and so on), and
 * oclif then parses the same argv with all its checks and messages.
 */
export function parseFast(argv: string[]): FastCommand | undefined {
  const [id, ...rest] = argv
  if (id !== 'export' && id !== 'exec' && id !== 'list' && id !== 'ls') return undefined
  const flags: CommonFlags = { noSession: false }
  const positional: string[] = []
  let format: string | undefined
  let json = false
  let listMode: 'table' | 'profiles' | 'credentials' | 'sessions' | 'json' = 'table'
  let tail: string[] | undefined
  for (let i = 0; i < rest.length; i++) {
    let arg = rest[i]
    if (arg === '--') {
      tail = rest.slice(i + 1)
      break
    }
    let inline: string | undefined
    const eq = arg.indexOf('=')
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1)
      arg = arg.slice(0, eq)
    }
    const value = (): string | undefined => {
      if (inline !== undefined) return inline
      const next = rest[i + 1]
      if (next === undefined || next.startsWith('-')) return undefined
      i++
      return next
    }
    const takes = (set: (v: string) => void): boolean => {
      const v = value()
      if (v === undefined) return false
      set(v)
      return true
    }
    let ok = true
    if (id !== 'list' && arg === '--region') ok = takes((v) => (flags.region = v))
    else if (id !== 'list' && (arg === '-d' || arg === '--duration')) ok = takes((v) => (flags.duration = v))
    else if (id !== 'list' && (arg === '-t' || arg === '--mfa-token')) ok = takes((v) => (flags.mfaToken = v))
    else if (id !== 'list' && (arg === '-n' || arg === '--no-session') && inline === undefined) flags.noSession = true
    else if (arg === '--backend') ok = takes((v) => (flags.backend = v))
    else if (arg === '--prompt') ok = takes((v) => (flags.prompt = v))
    else if (id === 'export' && arg === '--format') ok = takes((v) => (format = v))
    else if (id === 'exec' && (arg === '-j' || arg === '--json') && inline === undefined) json = true
    else if (
      (id === 'list' || id === 'ls') &&
      inline === undefined &&
      ['--profiles', '--credentials', '--sessions', '--json'].includes(arg)
    ) {
      if (listMode !== 'table') return undefined // oclif reports the exclusive-flag error
      listMode = arg.slice(2) as typeof listMode
    } else if (!arg.startsWith('-') && inline === undefined) positional.push(arg)
    else return undefined
    if (!ok) return undefined
  }
  if (id === 'list' || id === 'ls') {
    if (positional.length > 0 || tail) return undefined
    return { id: 'list', mode: listMode, flags }
  }
  if (id === 'export') {
    if (positional.length !== 1 || tail) return undefined
    if (format !== undefined && !formats.has(format)) return undefined
    return { id, profile: positional[0], format: (format ?? 'env') as ExportFormat, flags }
  }
  // exec: PROFILE, then either `-- CMD ARGS` or (as oclif allows) CMD ARGS after the profile.
  if (positional.length === 0) return undefined
  const [profile, ...loose] = positional
  if (loose.length > 0 && tail) return undefined
  const command = tail ?? loose
  return { id, profile, json, command: command[0], args: command.slice(1), flags }
}
