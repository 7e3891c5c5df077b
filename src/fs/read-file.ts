import { constants, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'
import { VaultError } from '../errors.js'

/**
 * The most vault reads from each kind of file. A real one is far smaller; a bigger one is a
 * mistake or an attack (a 300 MB SSO cache file took vault to 970 MB), refused before it is read.
 */
export const fileCaps = {
  /** ~/.aws/config and ~/.aws/credentials: thousands of profiles fit in a few MiB. */
  awsConfig: 16 * 1024 * 1024,
  /** vault's index of store items (names only). */
  index: 16 * 1024 * 1024,
  /** One JSON or JWE item: a token, a journal entry, a file-backend item. */
  item: 1024 * 1024,
} as const

/**
 * A file vault refuses to read: not a regular file, or over its cap. `code` is errno-like. Callers
 * that know what the file is reword it (a ConfigError, a StoreError); unwrapped, it is one line.
 */
export class FileReadRefused extends VaultError {
  constructor(
    readonly path: string,
    readonly why: string,
    readonly code: 'EFTYPE' | 'EFBIG',
  ) {
    super(`${path} ${why}`, `move ${path} out of the way; vault reads only regular files of a sane size`)
  }
}

export interface ReadOptions {
  /** Refuse more than this many bytes (see fileCaps). */
  maxBytes: number
  /**
   * Refuse a symbolic link in the last component (ELOOP): for files only vault writes. A user's
   * ~/.aws/config may well be a link (stow, yadm), so the default follows links.
   */
  noFollow?: boolean
}

/**
 * Reads a regular file whole, bounded: the file is opened without blocking (a FIFO with no writer
 * would otherwise hang the open, and a read from it hang forever), checked on its descriptor
 * (fstat, so nothing can be swapped in between), and read up to `maxBytes`. A FIFO, socket,
 * device or directory, or a file over the cap, rejects with a FileReadRefused naming the path;
 * other failures (ENOENT, EACCES) reject with Node's error as before.
 */
export async function readBoundedFile(path: string, options: ReadOptions): Promise<Buffer> {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0)
  const file = await open(path, flags)
  try {
    const info = await file.stat()
    // A directory keeps the error callers already word ("is a directory").
    if (info.isDirectory())
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), {
        code: 'EISDIR',
        path,
      })
    if (!info.isFile()) throw new FileReadRefused(path, `is ${kindOf(info)}, not a regular file`, 'EFTYPE')
    if (info.size > options.maxBytes) throw tooLarge(path, options.maxBytes)
    // The file may grow while it is read: read to its end, but never past the cap.
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const room = options.maxBytes + 1 - total
      const chunk = Buffer.alloc(Math.min(Math.max(info.size - total, 64 * 1024), room))
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      chunks.push(chunk.subarray(0, bytesRead))
      total += bytesRead
      if (total > options.maxBytes) throw tooLarge(path, options.maxBytes)
    }
    return Buffer.concat(chunks, total)
  } finally {
    await file.close()
  }
}

/** readBoundedFile as UTF-8 text. */
export async function readBoundedText(path: string, options: ReadOptions): Promise<string> {
  return (await readBoundedFile(path, options)).toString('utf8')
}

function tooLarge(path: string, maxBytes: number): FileReadRefused {
  return new FileReadRefused(path, `is larger than ${formatBytes(maxBytes)}, more than vault reads from it`, 'EFBIG')
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${n / (1024 * 1024)} MiB` : `${n / 1024} KiB`
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)'
  if (info.isDirectory()) return 'a directory'
  if (info.isSocket()) return 'a socket'
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device'
  return 'not a file'
}
