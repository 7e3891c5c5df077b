import { statSync } from 'node:fs'
import { dirname } from 'node:path'
import { StoreError } from '../errors.js'
import { FileReadRefused } from './read-file.js'

/**
 * One line for a file-system failure on one of vault's own paths (~/.awsvault, its index, its
 * locks, the file backend's directory): the path, what is wrong in words, and the fix, instead of
 * "unexpected error: EISDIR" (issue 15). `action` says what vault was doing ("cannot write").
 */
export function fileSystemError(err: unknown, path: string, action: string): StoreError {
  if (err instanceof StoreError) return err
  if (err instanceof FileReadRefused)
    return new StoreError(`${action} ${path}: it ${err.why}`, 'unavailable', err.hint, { cause: err })
  const e = err as NodeJS.ErrnoException
  const code = e.code ?? ''
  const [what, hint, reason] = explain(code, path)
  return new StoreError(`${action} ${path}: ${what}`, reason, hint, { cause: err })
}

function explain(code: string, path: string): [string, string, StoreError['reason']] {
  switch (code) {
    case 'EISDIR':
      return ['it is a directory, where vault keeps a file', `move ${path} out of the way`, 'unavailable']
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = fileInTheWay(path)
      return [
        `${file ?? 'a part of the path'} is a file, where vault needs a directory`,
        `move ${file ?? 'that file'} out of the way`,
        'unavailable',
      ]
    }
    case 'EROFS':
      return ['the file system is read-only', 'make HOME writable, or point HOME at a writable directory', 'denied']
    case 'EACCES':
    case 'EPERM':
      return [
        'permission denied',
        `make ${dirname(path)} yours and writable (chmod 700), or point HOME at a writable directory`,
        'denied',
      ]
    case 'ENOSPC':
    case 'EDQUOT':
      return ['the disk is full', 'free some space and try again', 'unavailable']
    case 'EIO':
      return ['input/output error', 'check the disk (dmesg) and try again', 'unavailable']
    default:
      return [code || 'failed', 'check the path and its permissions', 'unavailable']
  }
}

/** The nearest ancestor of `path` (itself included) that exists and is not a directory. */
function fileInTheWay(path: string): string | undefined {
  const chain: string[] = []
  for (let p = path; ; p = dirname(p)) {
    chain.unshift(p)
    if (dirname(p) === p) break
  }
  for (const p of chain) {
    try {
      if (!statSync(p).isDirectory()) return p
    } catch {
      return undefined
    }
  }
  return undefined
}
