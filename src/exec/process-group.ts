/**
 * A child that may start children of its own (pass starts gpg) runs in its own process group on
 * POSIX systems, so that a deadline ends all of them with one kill of the group. Windows has no
 * process groups: there the child itself is killed.
 */
export function ownGroup(platform: NodeJS.Platform): { detached: boolean } {
  return { detached: platform !== 'win32' }
}

/** SIGKILL to the child's process group (its pid, negated), or to the child alone on Windows. */
export function killGroup(
  pid: number,
  platform: NodeJS.Platform,
  kill: (pid: number, signal: NodeJS.Signals) => void = (p, s) => void process.kill(p, s),
): void {
  kill(platform === 'win32' ? pid : -pid, 'SIGKILL')
}
