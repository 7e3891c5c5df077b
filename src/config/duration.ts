const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1 }

/**
 * Parse a duration into whole seconds: plain seconds (`3600`) or Go-style units (`90m`, `8h`,
 * `1h30m`, `1.5h`, `45s`). aws-vault hands its *_TTL variables to Go's time.ParseDuration, which
 * needs units; vault also takes plain seconds, because that is what duration_seconds and STS use.
 * Throws a RangeError (callers wrap it in the error type that fits: ConfigError, UsageError).
 */
export function parseDuration(text: string): number {
  const s = text.trim()
  if (s === '') throw invalid(text)
  if (isDigits(s)) return Number(s)

  let total = 0
  let i = 0
  while (i < s.length) {
    const start = i
    while (i < s.length && (isDigit(s.charCodeAt(i)) || s[i] === '.')) i++
    const amount = s.slice(start, i)
    const unit = s[i]
    if (amount === '' || amount === '.' || amount.indexOf('.') !== amount.lastIndexOf('.') || unit === undefined) {
      throw invalid(text)
    }
    const factor = UNIT_SECONDS[unit]
    if (factor === undefined) throw invalid(text)
    total += Number(amount) * factor
    i++
  }
  return Math.round(total)
}

/** Format seconds the way a user would type them: 3600 → `1h`, 5400 → `1h30m`, 45 → `45s`. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s'
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`
}

function invalid(text: string): RangeError {
  return new RangeError(`"${text}" is not a duration: use seconds (3600) or units such as 90m, 8h, 1h30m`)
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false
  return true
}

/**
 * What STS accepts for DurationSeconds, per call (AWS STS API reference: AssumeRole,
 * GetSessionToken, GetFederationToken). An AssumeRole made with temporary credentials (role
 * chaining) is further capped at one hour; the chain applies that cap, see src/vault/chain.ts.
 */
export const STS_DURATION_LIMITS = {
  AssumeRole: { min: 900, max: 43_200 },
  GetSessionToken: { min: 900, max: 129_600 },
  GetFederationToken: { min: 900, max: 129_600 },
} as const

export type StsCall = keyof typeof STS_DURATION_LIMITS

/** AWS caps a role assumed with temporary credentials (role chaining) at one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600

/**
 * Why `seconds` is not a DurationSeconds that STS accepts for `call`, as the end of a sentence
 * whose start names where the value came from ("is below AWS's minimum of 15m for AssumeRole"),
 * or undefined when it is fine.
 */
export function stsDurationProblem(seconds: number, call: StsCall): string | undefined {
  const { min, max } = STS_DURATION_LIMITS[call]
  if (seconds < min) return `is below AWS's minimum of ${formatDuration(min)} for ${call}`
  if (seconds > max) return `is above AWS's maximum of ${formatDuration(max)} for ${call}`
  return undefined
}

/** The variable behind --duration on exec, export and login (aws-vault cli/exec.go: Envar("AWS_VAULT_DURATION")). */
export const DURATION_VARIABLE = 'AWS_VAULT_DURATION'
