import { mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ConfigError, UsageError } from '../errors.js'
import { FileReadRefused, fileCaps, readBoundedFile } from '../fs/read-file.js'
import { checkProfileName } from '../text/profile-name.js'
import { indexIni } from './ini.js'

const NEW_FILE_MODE = 0o600
const NEW_DIR_MODE = 0o700
// Another process may append between our read and our rename; re-read and retry this often.
const ATTEMPTS = 3

/**
 * Append `[profile NAME]` (or `[default]`) with `values` to the config file at `path`.
 * Every existing byte is kept as it is; the new section follows a blank line (one or two line
 * breaks are added, as the file's end needs), and a CRLF file gets CRLF lines. The write is atomic (temp file in the same directory,
 * then rename) and keeps the file's mode; a new file is 0600 in a new 0700 directory. A symlinked
 * config (dotfiles repos) is written through to its target rather than replaced by a plain file.
 * Throws a ConfigError when the profile already has a section, and a UsageError for a name or
 * value that would not read back the same.
 */
export async function addProfileSection(path: string, name: string, values: Record<string, string>): Promise<void> {
  checkProfileName(name)
  for (const [key, value] of Object.entries(values)) checkSetting(key, value)
  const target = await realpath(path).catch(() => path)
  await mkdir(dirname(target), { recursive: true, mode: NEW_DIR_MODE })

  for (let attempt = 1; ; attempt++) {
    const before = await readExisting(target)
    if (indexIni(before.bytes.toString('utf8'), target).profiles.has(name)) {
      throw new ConfigError(`profile "${name}" already exists in ${path}`)
    }
    const text = before.bytes.toString('latin1')
    const eol = text.includes('\r\n') ? '\r\n' : '\n'
    // A blank line before the new section, as `aws configure` and a hand-kept file have (issue 25).
    const separator = text.length === 0 || /\r?\n\r?\n$/.test(text) ? '' : text.endsWith('\n') ? eol : eol + eol
    const header = name === 'default' ? '[default]' : `[profile ${name}]`
    const lines = [header, ...Object.entries(values).map(([k, v]) => `${k} = ${v}`)]
    const appended = Buffer.from(`${separator}${lines.join(eol)}${eol}`, 'utf8')

    const tmp = await writeTemp(target, Buffer.concat([before.bytes, appended]), before.mode)
    const now = await readExisting(target)
    if (!now.bytes.equals(before.bytes)) {
      await unlink(tmp).catch(() => {})
      if (attempt < ATTEMPTS) continue
      throw new ConfigError(`${path} kept changing while vault was adding profile "${name}"`, 'try again')
    }
    try {
      await rename(tmp, target)
    } catch (err) {
      await unlink(tmp).catch(() => {})
      throw new ConfigError(`cannot write ${path}: ${(err as Error).message}`, undefined, { cause: err })
    }
    return
  }
}

async function readExisting(path: string): Promise<{ bytes: Buffer; mode: number }> {
  try {
    const [bytes, info] = await Promise.all([readBoundedFile(path, { maxBytes: fileCaps.awsConfig }), stat(path)])
    return { bytes, mode: info.mode & 0o7777 }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { bytes: Buffer.alloc(0), mode: NEW_FILE_MODE }
    if (err instanceof FileReadRefused) throw new ConfigError(`cannot rewrite ${err.message}`, err.hint, { cause: err })
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`, undefined, { cause: err })
  }
}

/** Write `bytes` to a new temp file beside `target` with `mode` (set explicitly: umask must not loosen or tighten it). */
async function writeTemp(target: string, bytes: Buffer, mode: number): Promise<string> {
  const tmp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`,
  )
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(tmp, 'wx', mode)
    await handle.writeFile(bytes)
    await handle.chmod(mode)
    await handle.sync()
    return tmp
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw new ConfigError(`cannot write ${target}: ${(err as Error).message}`, undefined, { cause: err })
  } finally {
    await handle?.close()
  }
}

function checkSetting(key: string, value: string): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(key)) throw new UsageError(`"${key}" cannot be a config key`)
  // Anything the reader would trim, cut at a comment or split across lines would not read back the same.
  if (/[\r\n]/.test(value) || value !== value.trim() || /[ \t][#;]/.test(value)) {
    throw new UsageError(`the value of ${key} cannot be written to the config file as it is: ${JSON.stringify(value)}`)
  }
}
