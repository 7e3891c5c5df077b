import { readFileSync } from 'node:fs'

/**
 * Whether a process with this pid still runs: signal 0 checks it exists without sending, and on
 * Linux a zombie (state Z in /proc/PID/stat) counts as ended. A detached process that is killed
 * (vault's agent) becomes init's child, and init reaps it when it gets to it: under two whole
 * suites at once (load 34) the agent's pid was still there after 16 clients had finished, dead.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    // No /proc (macOS, Windows), or the process went between the two looks.
    return process.platform !== 'linux'
  }
}
