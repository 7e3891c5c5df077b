import { constants } from 'node:os'
import { VaultError } from '../errors.js'

/** The child could not be started: 127 for "not found", 126 for "not executable", as shells do. */
export class CommandNotFoundError extends VaultError {
  override readonly exitCode: number
  constructor(command: string, code: 'ENOENT' | 'EACCES') {
    super(code === 'ENOENT' ? `command not found: ${command}` : `permission denied: ${command}`)
    this.exitCode = code === 'ENOENT' ? 127 : 126
  }
}

const forwarded: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH']

/**
 * Runs the child with inherited stdio and resolves with the exit code vault should exit with:
 * the child's own, or 128+N when it died of signal N. Signals sent to vault are forwarded, and
 * vault stays alive until the child is gone, so Ctrl-C reaches the child exactly once.
 */
export async function runChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  /** Told the child's pid once it is started (the hand-out log's record). */
  onSpawn?: (pid: number) => void,
): Promise<number> {
  // Loaded on use: `vault export` shares this bundle and never starts a child.
  const { spawn } = await import('node:child_process')
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'inherit' })
    // No pid: the command could not be started ('error' follows), and nothing was handed out.
    if (child.pid !== undefined) onSpawn?.(child.pid)
    const handlers = new Map<NodeJS.Signals, () => void>()
    for (const signal of forwarded) {
      const handler = () => {
        // A terminal's Ctrl-C already reaches the child through the process group; forwarding
        // again is harmless for well-behaved programs and needed when only vault was signalled.
        if (child.exitCode === null) child.kill(signal)
      }
      handlers.set(signal, handler)
      process.on(signal, handler)
    }
    const cleanup = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler)
    }
    child.once('error', (err: NodeJS.ErrnoException) => {
      cleanup()
      if (err.code === 'ENOENT' || err.code === 'EACCES') reject(new CommandNotFoundError(command, err.code))
      else reject(err)
    })
    child.once('exit', (code, signal) => {
      cleanup()
      if (signal) resolve(128 + (constants.signals[signal] ?? 0))
      else resolve(code ?? 1)
    })
  })
}
