/**
 * The sections of a shared credentials file (~/.aws/credentials) that hold keys, and the same
 * text with one section's keys taken out, every other line (sections, comments, blank lines,
 * line endings) left exactly as it was. Lenient like the AWS CLI: lines it cannot read are kept.
 */
export interface CredentialsSection {
  /** The name in brackets, e.g. `caktus` or aws-mfa's `caktus-long-term`. */
  section: string
  /** The profile it belongs to: aws-mfa's `NAME-long-term` is NAME's long-term keys. */
  profile: string
  accessKeyId?: string
  secretAccessKey?: string
  /** Set on short-term sections (aws-mfa writes its session under the plain NAME). */
  sessionToken?: string
}

/** aws-mfa's default suffix for the section that keeps the long-term keys. */
const LONG_TERM_SUFFIX = '-long-term'

/** Keys that carry a secret: what is taken out of a section. */
const SECRET_KEYS = new Set(['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_security_token'])

interface Line {
  header?: string
  key?: string
  value?: string
}

function parseLine(raw: string): Line {
  const line = raw.trim()
  if (line === '' || line[0] === '#' || line[0] === ';') return {}
  if (line[0] === '[') {
    const close = line.indexOf(']')
    return close > 0 ? { header: line.slice(1, close).trim() } : {}
  }
  const eq = line.indexOf('=')
  if (eq < 0) return {}
  return { key: line.slice(0, eq).trim().toLowerCase(), value: line.slice(eq + 1).trim() }
}

/** Every section with an access key or a session token, in file order (the last of a repeated key wins). */
export function credentialsSections(text: string): CredentialsSection[] {
  const found: CredentialsSection[] = []
  let current: CredentialsSection | undefined
  for (const raw of text.split('\n')) {
    const { header, key, value } = parseLine(raw)
    if (header !== undefined) {
      const profile = header.endsWith(LONG_TERM_SUFFIX) ? header.slice(0, -LONG_TERM_SUFFIX.length) : header
      current = { section: header, profile: profile || header }
      found.push(current)
    } else if (current && key && value) {
      if (key === 'aws_access_key_id') current.accessKeyId = value
      else if (key === 'aws_secret_access_key') current.secretAccessKey = value
      else if (key === 'aws_session_token' || key === 'aws_security_token') current.sessionToken = value
    }
  }
  return found.filter((s) => s.accessKeyId || s.secretAccessKey || s.sessionToken)
}

/**
 * The text without the secret keys of `[section]`; the header goes too when nothing but those keys
 * (and blank lines) was under it. Comments and other settings such as `region` stay.
 */
export function withoutSection(text: string, section: string): string {
  const lines = text.split('\n')
  const out: string[] = []
  let header = -1
  let inside = false
  let kept = false
  const closeSection = (atEnd: boolean) => {
    if (inside && !kept && header >= 0) {
      out.splice(header, 1)
      // Drop the blank lines the section leaves behind, so the file does not grow gaps (but keep
      // the empty string after a final newline: the file still ends with one).
      const stop = () => (atEnd ? out.length - 1 : out.length)
      while (header < stop() && out[header].trim() === '') out.splice(header, 1)
    }
  }
  for (const raw of lines) {
    const parsed = parseLine(raw)
    if (parsed.header !== undefined) {
      closeSection(false)
      inside = parsed.header === section
      kept = false
      header = inside ? out.length : -1
      out.push(raw)
      continue
    }
    if (inside && parsed.key !== undefined && SECRET_KEYS.has(parsed.key)) continue
    if (inside && raw.trim() !== '') kept = true
    out.push(raw)
  }
  closeSection(true)
  return out.join('\n')
}
