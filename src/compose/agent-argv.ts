/**
 * Here, in the composition root, not in src/agent/: it parses a command line and runs a use case,
 * both above the agent; the agent server receives it as AgentServerOptions.argv.
 *
 * The fast client's request (src/agent/fast-client.ts): a raw `vault …` command line and its
 * environment, served in the agent by the very use case the command runs, when the agent can
 * serve it without asking the user. The answer is the bytes to write and the exit code, so the
 * client loads neither the CLI nor the fast bundle.
 */
import { readFileSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { cannotAsk, NeedsUser } from '../agent/flights.js'
import type { Holder } from '../agent/holder.js'
import { storeIdentity } from '../agent/port.js'
import type { Message } from '../agent/wire.js'
import { findCommand, type Manifest, normalizeArgv, parseLine } from '../cli/command-line.js'
import { exportRequest, runtimeOptions } from '../cli/requests.js'
import { exportProfile } from '../usecases/export.js'
import { createRuntime } from './runtime.js'

let manifest: Manifest | undefined
function loadManifest(): Manifest {
  manifest ??= JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as Manifest
  return manifest
}

/**
 * `served` (stdout, stderr, exit code), `full` (the user must be asked, or the command takes its
 * credentials from the agent through the full CLI: skip the fast path), or `pass` (go on as if no
 * agent ran).
 */
export async function serveArgv(message: Message, holder: Holder): Promise<Message> {
  const env = message.env as Record<string, string> | undefined
  if (
    !Array.isArray(message.argv) ||
    !message.argv.every((a) => typeof a === 'string') ||
    !env ||
    typeof env !== 'object'
  )
    return { error: 'malformed argv request' }
  if (env.VAULT_FAST_PATH === '0') return { pass: 'fast path off' }
  const m = loadManifest()
  const argv = normalizeArgv(m, message.argv)
  const command = findCommand(m, argv)
  // exec runs its child in the client: its credentials come from the agent through getCredentials.
  if (command?.id === 'exec') return { full: true }
  if (command?.id !== 'export') return { pass: 'not served by the agent' }
  const line = parseLine(m, argv, env)
  if (!line) return { pass: 'command line for the full CLI' }
  const options = runtimeOptions(line.flags)
  if (options.debug) return { pass: '--debug' }
  const home = env.HOME ?? holder.runtime.homedir
  if (storeIdentity(options, env, home) !== holder.identity) return { pass: 'another store' }
  let stdout = ''
  let stderr = ''
  const rt = createRuntime(options, {
    env,
    homedir: home,
    streams: { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) },
    stdoutIsTerminal: message.stdoutIsTerminal === true,
    hasTerminal: false,
    keys: () => holder.runtime.keys(),
    store: () => holder.runtime.store(),
    stsFactory: holder.runtime.stsFactory,
    lock: holder.runtime.lock,
    clock: holder.runtime.clock,
    agent: { credentials: (request) => holder.obtainShared(request, cannotAsk) },
  })
  try {
    await exportProfile(rt, exportRequest(line.args.profile, line.flags))
    return { served: { stdout, stderr, code: 0 } }
  } catch (err) {
    // Errors are the full path's to word, byte for byte as without an agent.
    return err instanceof NeedsUser ? { full: true } : { pass: (err as Error).message }
  }
}

function sink(write: (s: string) => void): Writable {
  return {
    write(chunk: string | Uint8Array) {
      write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      return true
    },
  } as Writable
}
