/** The controlling terminal, for prompts that must work while stdin and stdout are redirected. */
export interface Terminal {
  input: NodeJS.ReadableStream
  output: NodeJS.WritableStream
  /** Destroys both streams; each closes its own descriptor. */
  close(): void
}

/**
 * Opens /dev/tty (stdin and stderr on Windows). Throws when there is no controlling terminal.
 * One descriptor per stream, each closed by its own stream when destroyed: sharing one and
 * closing it by hand afterwards could close a number the process has already reused.
 * node:fs and node:tty are loaded here: callers sit on paths that almost never prompt.
 */
export async function openTerminal(platform: NodeJS.Platform = process.platform): Promise<Terminal> {
  if (platform === 'win32') return { input: process.stdin, output: process.stderr, close() {} }
  const [{ openSync }, { ReadStream, WriteStream }] = await Promise.all([import('node:fs'), import('node:tty')])
  const input = new ReadStream(openSync('/dev/tty', 'r'))
  let output: InstanceType<typeof WriteStream>
  try {
    output = new WriteStream(openSync('/dev/tty', 'w'))
  } catch (err) {
    input.destroy()
    throw err
  }
  return {
    input,
    output,
    close() {
      input.destroy()
      output.destroy()
    },
  }
}

/** The controlling terminal as plain file descriptors, for a child's stdin and stderr. */
export interface TerminalFds {
  stdin: number
  stderr: number
  close(): void
}

/**
 * Opens /dev/tty twice with plain open(2), for reading and for writing. Not through tty.ReadStream
 * (openTerminal above): libuv reopens a terminal it reads in non-blocking mode, and a child
 * given that descriptor fails its first read with EAGAIN (issue 25: `read code` in mfa_process got
 * nothing). Throws when there is no controlling terminal (and on Windows, which has no /dev/tty).
 */
export async function openTerminalFds(): Promise<TerminalFds> {
  const { closeSync, openSync } = await import('node:fs')
  const stdin = openSync('/dev/tty', 'r')
  let stderr: number
  try {
    stderr = openSync('/dev/tty', 'w')
  } catch (err) {
    closeSync(stdin)
    throw err
  }
  return {
    stdin,
    stderr,
    close() {
      closeSync(stdin)
      closeSync(stderr)
    },
  }
}
