import { writeSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { reportError } from '../cli/report-error.js'
import { parseDuration } from '../config/duration.js'
import { createRuntime } from '../runtime/runtime.js'
import { execProfile } from '../usecases/exec.js'
import { exportProfile } from '../usecases/export.js'
import { listProfiles, renderList } from '../usecases/list.js'
import type { LockFn } from '../vault/provider.js'
import type { StsFactory } from '../vault/sts-port.js'
import { type FastCommand, parseFast } from './parse.js'

/** Thrown when serving the request would need STS, a lock or a prompt: oclif takes over. */
class FullPathNeeded extends Error {}

const needsSts: StsFactory = () => {
  throw new FullPathNeeded()
}
const needsLock: LockFn = () => Promise.reject(new FullPathNeeded())

/**
 * A write-only sink on a file descriptor. The fast path writes a few hundred bytes and exits:
 * building process.stdout for a pipe loads node:net and a socket (~2 ms of every cache hit).
 */
function fdSink(fd: number): Writable {
  return {
    write(chunk: string | Uint8Array) {
      if (typeof chunk === 'string') writeSync(fd, chunk)
      else writeSync(fd, chunk)
      return true
    },
  } as Writable
}

/**
 * The cache-hit fast path, tried before oclif is loaded (oclif alone costs ~85 ms of start-up).
 * It runs the very same use cases as the commands, with the same config resolution, chain,
 * expiry windows, nesting check and environment scrubbing, but with an STS factory and a lock
 * that refuse: the first time the chain would fetch anything, it gives up and returns
 * undefined, and bin/run.js runs the full CLI, which fetches under the lock as usual. Nothing
 * is written before that point, so the retry starts clean.
 *
 * Resolves to the exit code, or undefined when the full CLI must handle the invocation.
 */
export async function fastPath(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  if (env.VAULT_FAST_PATH === '0') return undefined
  const cmd = parseFast(argv)
  if (!cmd) return undefined
  let duration: number | undefined
  if (cmd.id !== 'list' && cmd.flags.duration !== undefined) {
    try {
      duration = parseDuration(cmd.flags.duration)
    } catch {
      return undefined // oclif reports the bad value
    }
  }
  const rt = createRuntime(
    // The same sources oclif reads for these global flags: the flag, else its variable.
    {
      backend: cmd.flags.backend ?? env.AWS_VAULT_BACKEND,
      debug: false,
      prompt: cmd.flags.prompt ?? env.AWS_VAULT_PROMPT,
    },
    { stsFactory: needsSts, lock: needsLock, env, streams: { stdout: fdSink(1), stderr: fdSink(2) } },
  )
  try {
    return await serve(cmd, rt, duration)
  } catch (err) {
    if (err instanceof FullPathNeeded) return undefined
    return reportError(err, fdSink(2), false)
  }
}

async function serve(cmd: FastCommand, rt: ReturnType<typeof createRuntime>, duration?: number): Promise<number> {
  if (cmd.id === 'list') {
    const rows = await listProfiles(rt)
    rt.streams.stdout.write(cmd.mode === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : renderList(rows, cmd.mode))
    return 0
  }
  const request = {
    profile: cmd.profile,
    region: cmd.flags.region,
    duration,
    mfaToken: cmd.flags.mfaToken,
    noSession: cmd.flags.noSession,
  }
  if (cmd.id === 'export') {
    await exportProfile(rt, { ...request, format: cmd.format })
    return 0
  }
  return execProfile(rt, { ...request, command: cmd.command, args: cmd.args, json: cmd.json })
}
