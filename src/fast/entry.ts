import { appendFileSync, readFileSync, writeSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { defaultBin } from '../cli/bin-name.js'
import { findCommand, type Manifest, normalizeArgv, type ParsedLine, parseLine } from '../cli/command-line.js'
import { exitIfKeychainStuck } from '../cli/hard-exit.js'
import { reportError } from '../cli/report-error.js'
import { clearRequest, execRequest, exportRequest, jsonOutput, listMode, runtimeOptions } from '../cli/requests.js'
import { createRuntime, type Runtime } from '../compose/runtime.js'
import { clearSessions } from '../usecases/clear.js'
import { execProfile } from '../usecases/exec.js'
import { exportProfile } from '../usecases/export.js'
import { listProfiles, renderList } from '../usecases/list.js'
import { profileStatus, renderStatus } from '../usecases/status.js'
import type { LockFn } from '../vault/provider.js'
import type { StsFactory } from '../vault/sts-port.js'

export { binName } from '../cli/bin-name.js'
// For the build's warm-up (scripts/warm-up/), which serves hits through this bundle before the
// build writes its code cache: the classes a keychain read is built from, so that the warm-up's
// stand-ins run this bundle's functions, the ones the cache must hold.
export { CredentialStore } from '../stores/credential-store.js'
export { fileIndexLock } from '../stores/index-lock.js'
export { KeychainStore } from '../stores/keychain-store.js'
export { secretServiceCalls } from '../stores/secret-service-direct.js'

/** Thrown when serving the request would need STS, a lock, a prompt or a server: oclif takes over. */
class FullPathNeeded extends Error {}

const needsSts: StsFactory = () => {
  throw new FullPathNeeded()
}
const needsLock: LockFn = () => Promise.reject(new FullPathNeeded())

/**
 * The commands a cache hit can serve, by command id. Each builds its request from the parsed
 * flags with the very builders the oclif command uses (src/cli/requests.ts), so every flag
 * means the same on both paths; no flag is named here.
 */
const handlers: Record<string, (line: ParsedLine, rt: Runtime) => Promise<number>> = {
  async export(line, rt) {
    await exportProfile(rt, exportRequest(line.args.profile, line.flags))
    return 0
  },
  async exec(line, rt) {
    const req = execRequest(line.args.profile, line.flags, line.passthrough)
    // A server outlives this process's cache hit: it refreshes through STS, so oclif runs it.
    if (req.server) throw new FullPathNeeded()
    return execProfile(rt, req)
  },
  async list(line, rt) {
    const rows = await listProfiles(rt)
    const mode = listMode(line.flags)
    rt.streams.stdout.write(mode === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : renderList(rows, mode))
    return 0
  },
  // No STS, no lock, no server: `clear` is served whole (its keychain deletes, its one line).
  async clear(line, rt) {
    await clearSessions(rt, clearRequest(line.args.profile, line.flags))
    return 0
  },
  async status(line, rt) {
    const status = await profileStatus(rt, { profile: line.args.profile })
    const json = jsonOutput(line.flags)
    rt.streams.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status, rt.clock.now()))
    return 0
  },
}

/** The command ids the fast path may serve (export, exec, list and status hand over on a miss). */
export const servedCommands = Object.keys(handlers)

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

let manifest: Manifest | undefined
/** oclif.manifest.json, the generated form of the oclif command classes (`npm run build`). */
export function loadManifest(): Manifest {
  manifest ??= JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as Manifest
  return manifest
}

/**
 * The argv oclif gets: global flags given before the command (`vault --debug exec dev`) move to
 * just after its name, where oclif reads them.
 */
export function prepareArgv(argv: string[]): string[] {
  return normalizeArgv(loadManifest(), argv)
}

/**
 * VAULT_PATH_LOG=FILE appends "fast" or "full" to FILE for each run: how tests tell the two paths
 * apart when they compare their output.
 */
export function logPath(path: 'fast' | 'full', env: NodeJS.ProcessEnv = process.env): void {
  if (env.VAULT_PATH_LOG) appendFileSync(env.VAULT_PATH_LOG, `${path}\n`)
}

/**
 * The cache-hit fast path, tried before oclif is loaded (oclif alone costs ~85 ms of start-up).
 * It parses the command line from oclif.manifest.json, the generated form of the oclif command
 * classes, and runs the very same use cases as the commands, with the same config resolution,
 * chain, expiry windows, nesting check and environment scrubbing, but with an STS factory and a
 * lock that refuse: the first time the chain would fetch anything, it gives up and returns
 * undefined, and bin/run.js runs the full CLI, which fetches under the lock as usual. Nothing is
 * written before that point, so the retry starts clean. A command line it does not fully
 * understand (help, --debug, an unknown flag, a bad value) goes to oclif untouched.
 *
 * `argv` is prepared (prepareArgv); `overrides` are the build's warm-up stand-ins
 * (scripts/warm-up/). Resolves to the exit code, or undefined when the full CLI must handle the
 * invocation. `bin` is the command the user ran, which advice in errors names.
 */
export async function fastPath(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Runtime> = {},
  bin = defaultBin,
): Promise<number | undefined> {
  if (env.VAULT_FAST_PATH === '0') return undefined
  const m = loadManifest()
  const command = findCommand(m, argv)
  const handler = command && handlers[command.id]
  if (!handler) return undefined
  const line = parseLine(m, argv, env)
  if (!line) return undefined
  let options: ReturnType<typeof runtimeOptions>
  try {
    options = runtimeOptions(line.flags)
    // Debug lines would be written twice on a miss: the full CLI explains everything.
    if (options.debug) return undefined
    const rt = createRuntime(options, {
      stsFactory: needsSts,
      lock: needsLock,
      env,
      streams: { stdout: fdSink(1), stderr: fdSink(2) },
      // bin/run.js asked the agent already (src/agent/fast-client.ts), and it passed.
      agent: undefined,
      ...overrides,
    })
    const code = await handler(line, rt)
    logPath('fast', env)
    await exitIfKeychainStuck()
    return code
  } catch (err) {
    if (err instanceof FullPathNeeded) return undefined
    logPath('fast', env)
    const code = reportError(err, fdSink(2), false, bin)
    // The line is written (synchronously): a keychain call stuck past its deadline would hold exit.
    await exitIfKeychainStuck()
    return code
  }
}
