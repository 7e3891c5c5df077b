import { join } from 'node:path'

/** Where the hand-out log goes, how big a file grows, and how many rotated files are kept. */
export interface LogSettings {
  path: string
  maxBytes: number
  keep: number
}

/** The settings' names, declared once: the runtime, the warning, `vault log`'s help and the README name them. */
export const LOG_ENV = 'AWS_VAULT_LOG'
export const LOG_MAX_BYTES_ENV = 'AWS_VAULT_LOG_MAX_BYTES'
export const LOG_KEEP_ENV = 'AWS_VAULT_LOG_KEEP'

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024
export const DEFAULT_KEEP = 5
/** A file smaller than this would rotate every few records. */
const MIN_MAX_BYTES = 16 * 1024
const OFF = ['off', '0', 'false', 'no']

/** The log's default home: ~/.awsvault/log/handouts.jsonl. */
export function defaultLogPath(homedir: string): string {
  return join(homedir, '.awsvault', 'log', 'handouts.jsonl')
}

/**
 * The log settings from the environment: AWS_VAULT_LOG=off turns the log off, an absolute path
 * moves it; AWS_VAULT_LOG_MAX_BYTES and AWS_VAULT_LOG_KEEP bound it. Returns undefined when off,
 * and a problem (for one warning) when a value is not understood: the default is used then.
 */
export function logSettings(
  env: Readonly<Record<string, string | undefined>>,
  homedir: string,
): { settings?: LogSettings; problem?: string } {
  const where = (env[LOG_ENV] ?? '').trim()
  if (OFF.includes(where.toLowerCase())) return {}
  const problems: string[] = []
  let path = defaultLogPath(homedir)
  if (where !== '') {
    if (where.startsWith('/')) path = where
    else problems.push(`${LOG_ENV} must be "off" or an absolute path, not ${JSON.stringify(where)}`)
  }
  const number = (name: string, fallback: number, min: number): number => {
    const text = (env[name] ?? '').trim()
    if (text === '') return fallback
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
    if (Number.isSafeInteger(value) && value >= min) return value
    problems.push(`${name} must be a whole number of at least ${min}, not ${JSON.stringify(text)}`)
    return fallback
  }
  const settings = {
    path,
    maxBytes: number(LOG_MAX_BYTES_ENV, DEFAULT_MAX_BYTES, MIN_MAX_BYTES),
    keep: number(LOG_KEEP_ENV, DEFAULT_KEEP, 1),
  }
  return problems.length ? { settings, problem: `${problems.join('; ')}; using the default` } : { settings }
}

/** The log's files, oldest first: path.KEEP … path.1, path. */
export function logFiles(s: Pick<LogSettings, 'path' | 'keep'>): string[] {
  const old = Array.from({ length: s.keep }, (_, i) => `${s.path}.${s.keep - i}`)
  return [...old, s.path]
}
