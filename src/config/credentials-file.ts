import { join } from 'node:path'
import { fileCaps, readBoundedText } from '../fs/read-file.js'
import type { Env, Logger } from '../runtime/types.js'
import { expandHome } from './config-file.js'

export interface PlaintextCheckOptions {
  env: Env
  homedir: string
  log: Logger
  /** Injected for tests; defaults to reading the file as UTF-8. */
  readText?: (path: string) => Promise<string>
}

const KEY_NAMES = ['aws_access_key_id', 'aws_secret_access_key'] as const

/** $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. */
export function credentialsFilePath(env: Env, homedir: string): string {
  const fromEnv = env.AWS_SHARED_CREDENTIALS_FILE
  return fromEnv ? expandHome(fromEnv, homedir) : join(homedir, '.aws', 'credentials')
}

/**
 * Under --debug, say when the shared credentials file holds plaintext keys for a profile vault
 * manages. vault never reads keys from that file, but the AWS CLI and SDKs do, so keys left
 * there can silently win over vault's in tools run outside `vault exec`.
 * Reads nothing unless --debug is on. Resolves true when it found (and reported) keys.
 * The note names the file and the key names only, never a key.
 */
export async function warnPlaintextCredentials(profileName: string, opts: PlaintextCheckOptions): Promise<boolean> {
  if (!opts.log.enabled) return false
  const path = credentialsFilePath(opts.env, opts.homedir)
  let text: string
  try {
    text = await (opts.readText ?? ((p: string) => readBoundedText(p, { maxBytes: fileCaps.awsConfig })))(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') opts.log.debug(`cannot read ${path} to check for plaintext keys: ${(err as Error).message}`)
    return false
  }
  const found = plaintextKeyNames(text, profileName)
  if (found.length === 0) return false
  opts.log.debug(
    `profile "${profileName}": ${path} holds plaintext ${found.join(' and ')} for it; vault ignores them, but other AWS tools read them. Move them into vault with: vault add ${profileName}, then delete them from ${path}`,
  )
  return true
}

/**
 * The key names (aws_access_key_id, aws_secret_access_key) with a value under [profileName] in
 * credentials-file text. Deliberately lenient: a malformed credentials file is not vault's to
 * reject, so unparseable lines are skipped.
 */
export function plaintextKeyNames(text: string, profileName: string): string[] {
  const found = new Set<string>()
  let inProfile = false
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line[0] === '#' || line[0] === ';') continue
    if (line[0] === '[') {
      const close = line.indexOf(']')
      inProfile = close > 0 && line.slice(1, close).trim() === profileName
      continue
    }
    if (!inProfile) continue
    const eq = line.indexOf('=')
    if (eq < 0) continue
    const key = line.slice(0, eq).trim().toLowerCase()
    const hasValue = line.slice(eq + 1).trim() !== ''
    for (const name of KEY_NAMES) if (key === name && hasValue) found.add(name)
  }
  return KEY_NAMES.filter((name) => found.has(name))
}
