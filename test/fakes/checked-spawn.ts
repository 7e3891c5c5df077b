/**
 * A test's setup step run as a child (dbus-launch, gnome-keyring-daemon, secret-tool, dbus-send):
 * its stdout, or an error naming the step, the command and why it failed. A setup step whose
 * failure goes unnoticed turns into a confusing failure later (issue 25: a locked-keyring test got
 * an unlocked keyring because secret-tool timed out under load, and saw exit 0 instead of 69).
 */
import { spawnSync } from 'node:child_process'

export interface CheckedSpawnOptions {
  env: NodeJS.ProcessEnv
  /** Fed to stdin (passwords go here, never in argv, so they never reach an error message). */
  input?: string
  /** Generous: the machine may be busy. */
  timeoutMs?: number
}

export function checkedSpawn(step: string, cmd: string, args: string[], o: CheckedSpawnOptions): string {
  const timeoutMs = o.timeoutMs ?? 30_000
  const r = spawnSync(cmd, args, { env: o.env, input: o.input ?? '', encoding: 'utf8', timeout: timeoutMs })
  if (r.status === 0) return r.stdout
  const err = r.error as NodeJS.ErrnoException | undefined
  const why =
    err?.code === 'ETIMEDOUT'
      ? `timed out after ${timeoutMs} ms`
      : err
        ? `could not start (${err.code ?? err.message})`
        : r.signal
          ? `was killed by ${r.signal}`
          : `exited with ${r.status}`
  const output = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim()
  throw new Error(`test setup: ${step} failed: ${[cmd, ...args].join(' ')} ${why}${output ? `: ${output}` : ''}`)
}
