import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import type { Manifest } from '../../src/cli/command-line.js'
import type { Runtime } from '../../src/compose/runtime.js'
import type * as FastBundle from '../../src/fast/entry.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import type { SecretStore } from '../../src/stores/secret-store.js'
import { noLock } from '../../src/vault/provider.js'
import type { StsPort } from '../../src/vault/sts-port.js'
import { type SecretServiceStandIn, secretServiceStandIn } from './secret-service.js'

/**
 * The build's warm-up (scripts/build.mjs hands it to bin/fast-loader.cjs's writeCodeCache): serves
 * cache hits once, in the build's own process, through the product bundle that process has just
 * compiled, so that V8 has compiled every function a hit calls when the build writes the code
 * cache. A cache written straight after loading holds only the bundle's top level; the functions
 * a hit then calls are compiled on every run (~5 ms of a ~40 ms hit).
 *
 * This is build-time code, bundled on its own and never shipped: the hits run the bundle's own
 * functions (`bundle` is dist/fast-bundle/entry.cjs's exports: fastPath, the manifest, the served
 * command ids, and the classes a keychain read is built from), since a function compiled in a
 * copy of the code would not be in the bundle's cache. What this module adds are the stand-ins:
 * a temporary HOME and config, a memory store standing for the keychain (with the index file a
 * keychain has), an STS that answers from memory, and a Secret Service on a Unix socket in the
 * temporary folder that serves the memory store's items to the bundle's D-Bus reader. No keychain,
 * bus or network of the machine is touched: the native module is refused, and nothing reads the
 * build's environment.
 *
 * Rejects if any hit is not served as a hit: a warm-up that silently did less would go unnoticed.
 */
export async function warmUp(bundle: typeof FastBundle): Promise<void> {
  const { CredentialStore, KeychainStore, fastPath, fileIndexLock, secretServiceCalls } = bundle
  const dir = mkdtempSync(join(tmpdir(), 'vault-warm-up-'))
  let bus: SecretServiceStandIn | undefined
  try {
    // Windows has no Secret Service: there its hits read the memory store itself.
    if (process.platform !== 'win32') bus = await secretServiceStandIn(join(dir, 'bus'))
    const config = join(dir, 'config')
    writeFileSync(
      config,
      [
        '[profile warm-source]',
        'region = us-east-1',
        '[profile warm]',
        'source_profile = warm-source',
        'role_arn = arn:aws:iam::123456789012:role/warm',
        '',
      ].join('\n'),
      { mode: 0o600 },
    )
    const env: NodeJS.ProcessEnv = {
      HOME: dir,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      ...(bus && { DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus.path}` }),
    }
    const indexFile = join(dir, '.awsvault', 'secret-service.index')
    const indexLock = fileIndexLock({ path: join(dir, '.awsvault', 'locks', 'store-index') })
    const memory = new MemoryStore([], { indexFile, indexLock, indexComplete: true })
    await new CredentialStore(memory).set('warm-source', {
      accessKeyId: 'AKIAWARMUPWARMUPWARM',
      secretAccessKey: 'warm-up-secret-not-a-key',
    })
    let keychain: SecretStore = memory
    if (bus) {
      bus.items = memory
      keychain = new KeychainStore({
        backend: 'secret-service',
        platform: 'linux',
        indexFile,
        indexLock,
        direct: secretServiceCalls(env),
        loadBinding: () => Promise.reject(new Error('the warm-up reads only over its stand-in bus')),
      })
    }
    const quiet = { stdout: nullSink(), stderr: nullSink() }
    // The miss writes the role's session to the memory store; each hit then reads it over D-Bus.
    const fetching: Partial<Runtime> = {
      streams: quiet,
      store: async () => memory,
      stsFactory: () => memorySts,
      lock: noLock,
    }
    const reading: Partial<Runtime> = { streams: quiet, store: async () => keychain }
    const noop = join(dir, 'noop.js')
    writeFileSync(noop, '')
    const [seed, ...lines] = commandLines(bundle.loadManifest(), bundle.servedCommands, [process.execPath, noop])
    // The first line fetches (from memory) and caches the role's session; every line then hits.
    for (const [argv, overrides] of [[seed, fetching], [seed, reading], ...lines.map((l) => [l, reading])] as Array<
      [string[], Partial<Runtime>]
    >) {
      const code = await fastPath(argv, env, overrides)
      if (code !== 0) throw new Error(`warm-up: vault ${argv.join(' ')} was not served (${code})`)
    }
  } finally {
    await bus?.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The command lines the warm-up serves, read from the manifest so that no flag is named here:
 * each served command with the warm profile for its arguments, then once more for each value of
 * each option flag that lists its values (export's formats). A command that takes a command line
 * of its own (exec) runs `child`.
 */
function commandLines(manifest: Manifest, served: string[], child: string[]): string[][] {
  const lines: string[][] = []
  for (const id of served) {
    const spec = manifest.commands[id]
    if (!spec) continue
    const base = [id, ...Object.keys(spec.args).map(() => 'warm')]
    const tail = spec.strict === false ? ['--', ...child] : []
    lines.push([...base, ...tail])
    for (const [name, flag] of Object.entries(spec.flags)) {
      if (flag.type !== 'option' || !flag.options || flag.multiple) continue
      for (const value of flag.options) lines.push([...base, `--${name}`, value, ...tail])
    }
  }
  return lines
}

const expiresIn = (ms: number) => new Date(Date.now() + ms)

const memorySts: StsPort = {
  async getSessionToken() {
    return warmSession()
  },
  async assumeRole() {
    return warmSession()
  },
  async assumeRoleWithWebIdentity() {
    return warmSession()
  },
  async getFederationToken() {
    return warmSession()
  },
  async getCallerIdentity() {
    return { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/warm', userId: 'AIDAWARMUP' }
  },
}

function warmSession() {
  return {
    accessKeyId: 'ASIAWARMUPWARMUPWARM',
    secretAccessKey: 'warm-up-secret-not-a-key',
    sessionToken: 'warm-up-token',
    expiration: expiresIn(3_600_000),
  }
}

function nullSink(): Writable {
  return { write: () => true } as unknown as Writable
}
