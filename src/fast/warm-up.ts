import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import type { Manifest } from '../cli/command-line.js'
import type { DBusValue } from '../dbus/marshal.js'
import { decodeMessage, encodeMessage, type Message, MessageType, messageLength } from '../dbus/wire.js'
import type { Runtime } from '../runtime/runtime.js'
import { CredentialStore } from '../stores/credential-store.js'
import { fileIndexLock } from '../stores/index-lock.js'
import { KeychainStore } from '../stores/keychain-store.js'
import { MemoryStore } from '../stores/memory-store.js'
import { readSecretServiceItem } from '../stores/secret-service-read.js'
import type { SecretStore } from '../stores/secret-store.js'
import { noLock } from '../vault/provider.js'
import type { StsPort } from '../vault/sts-port.js'

/**
 * The build's warm-up (bin/fast-loader.cjs, writeCodeCache): serves cache hits once, in the
 * build's own process, so that V8 has compiled every function a hit calls when the build writes
 * the code cache. A cache written straight after loading holds only the bundle's top level; the
 * functions a hit then calls are compiled on every run (~5 ms of a ~40 ms hit).
 *
 * Everything is a stand-in and stays in this process: a temporary HOME and config, a memory
 * store standing for the keychain (with the index file a keychain has), an STS that answers from
 * memory, and a Secret Service on a Unix socket in the temporary folder that serves the memory
 * store's items to the real D-Bus reader. No keychain, bus or network of the machine is touched:
 * the native module is refused, and nothing reads the build's environment.
 *
 * `fastPath`, the manifest and the served command ids are the bundle entry's (src/fast/entry.ts),
 * passed in rather than imported: entry.ts imports this module.
 * Rejects if any hit is not served as a hit: a warm-up that silently did less would go unnoticed.
 */
export async function warmUp(
  fastPath: (argv: string[], env: NodeJS.ProcessEnv, overrides: Partial<Runtime>) => Promise<number | undefined>,
  manifest: Manifest,
  served: string[],
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vault-warm-up-'))
  let bus: StandIn | undefined
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
        readDirect: (service, key, timeoutMs) => readSecretServiceItem(env, service, key, timeoutMs),
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
    const [seed, ...lines] = commandLines(manifest, served, [process.execPath, noop])
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

interface StandIn {
  path: string
  items?: MemoryStore
  close(): Promise<void>
}

/**
 * A Secret Service on a Unix socket, enough for readSecretServiceItem: SASL OK, Hello,
 * OpenSession "plain", SearchItems by the service and username attributes, GetSecrets. Items are
 * `items`'s, one object path per key.
 */
async function secretServiceStandIn(path: string): Promise<StandIn> {
  const sockets = new Set<Socket>()
  const standIn: StandIn = {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
  const answer = async (call: Message): Promise<Pick<Message, 'signature' | 'body'> | undefined> => {
    const keys = (await standIn.items?.keys()) ?? []
    const itemPath = (key: string) => `/org/freedesktop/secrets/collection/login/${keys.indexOf(key) + 1}`
    switch (call.member) {
      case 'Hello':
        return { signature: 's', body: [':1.1'] }
      case 'OpenSession':
        return { signature: 'vo', body: [{ signature: 's', value: '' }, '/org/freedesktop/secrets/session/1'] }
      case 'SearchItems': {
        const wanted = new Map(call.body[0] as Array<[string, string]>)
        const key = wanted.get('username') ?? ''
        const found = wanted.get('service') === 'aws-vault' && keys.includes(key) ? [itemPath(key)] : []
        return { signature: 'aoao', body: [found, []] }
      }
      case 'GetSecrets': {
        const secrets: DBusValue[] = []
        for (const key of keys) {
          if (!(call.body[0] as string[]).includes(itemPath(key))) continue
          const item = await standIn.items?.get(key)
          if (!item) continue
          const value = [String(call.body[1]), Buffer.alloc(0), Buffer.from(item.data, 'utf8'), 'text/plain']
          secrets.push([itemPath(key), value])
        }
        return { signature: 'a{o(oayays)}', body: [secrets] }
      }
      default:
        return undefined
    }
  }
  const serve = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    let authed = false
    let inbox = Buffer.alloc(0)
    let queue = Promise.resolve()
    const onData = async (chunk: Buffer) => {
      if (!authed) {
        const begin = chunk.indexOf('BEGIN\r\n')
        if (begin < 0) return
        authed = true
        socket.write('OK 00000000000000000000000000000000\r\n')
        chunk = chunk.subarray(begin + 7)
      }
      inbox = Buffer.concat([inbox, chunk])
      for (let len = messageLength(inbox); len !== undefined && inbox.length >= len; len = messageLength(inbox)) {
        const call = decodeMessage(inbox.subarray(0, len))
        inbox = inbox.subarray(len)
        const reply = await answer(call)
        const head = { flags: 0, serial: call.serial, replySerial: call.serial }
        socket.write(
          reply
            ? encodeMessage({ ...head, type: MessageType.MethodReturn, ...reply })
            : encodeMessage({
                ...head,
                type: MessageType.Error,
                errorName: 'org.freedesktop.DBus.Error.UnknownMethod',
                signature: 's',
                body: [`the warm-up's stand-in does not answer ${call.member}`],
              }),
        )
      }
    }
    // One chunk at a time: the answers read the store, and a reply must not overtake another.
    socket.on('data', (chunk: Buffer) => {
      queue = queue
        .then(() => onData(chunk))
        .catch(() => {
          socket.destroy()
        })
    })
  }
  const server: Server = createServer(serve)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, resolve)
  })
  return standIn
}
