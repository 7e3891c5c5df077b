/**
 * aws-vault's own Secret Service code (99designs/keyring secretservice.go + gsterjov/go-libsecret,
 * see aws-vault-keyring/README.md), built once per process into a temp folder, and driven as a
 * child process: the oracle that seeds and reads aws-vault's collection in the tests.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sessionBusPath } from '../../src/dbus/address.js'
import { DBusConnection } from '../../src/dbus/connection.js'

const GOPATH = join(import.meta.dirname, 'aws-vault-keyring')
const HINT = 'apt-get install -y golang-go golang-dbus-dev'

let built: string | undefined

/** The seeder binary; throws with an install hint when Go or Debian's godbus is missing. */
export function awsVaultSeeder(): string {
  if (built) return built
  const dir = mkdtempSync(join(tmpdir(), 'vault-seeder-'))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const bin = join(dir, 'seeder')
  const r = spawnSync('go', ['build', '-o', bin, 'seeder'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      GO111MODULE: 'off',
      GOPATH: `${GOPATH}:/usr/share/gocode`,
      GOCACHE: join(dir, 'cache'),
      GOFLAGS: '',
    },
    encoding: 'utf8',
    timeout: 180_000,
  })
  if (r.error) throw new Error(`cannot build the aws-vault keyring oracle: ${r.error.message}; install with: ${HINT}`)
  if (r.status !== 0) throw new Error(`cannot build the aws-vault keyring oracle (install with: ${HINT}):\n${r.stderr}`)
  built = bin
  return bin
}

/** 99designs/keyring's Item, as the Go side reads it from JSON (Data: base64). */
export interface GoItem {
  Key: string
  Data: string
  Label?: string
  Description?: string
  KeychainNotTrustApplication?: boolean
}

/** An item as aws-vault's CredentialKeyring.Set writes it (vault/credentialkeyring.go). */
export function credentialItem(profile: string, accessKeyId: string, secretAccessKey: string): GoItem {
  // json.Marshal(aws.Credentials{...}) as aws-sdk-go-v2 v1.43 defines the struct (no JSON tags).
  const creds = {
    AccessKeyID: accessKeyId,
    SecretAccessKey: secretAccessKey,
    SessionToken: '',
    Source: '',
    CanExpire: false,
    Expires: '0001-01-01T00:00:00Z',
    AccountID: '',
  }
  return {
    Key: profile,
    Data: Buffer.from(JSON.stringify(creds)).toString('base64'),
    Label: `aws-vault (${profile})`,
    KeychainNotTrustApplication: true,
  }
}

/** Runs the seeder with `env` (the private bus); throws on failure. */
export function seeder(env: NodeJS.ProcessEnv, args: string[], input?: string): string {
  const r = spawnSync(awsVaultSeeder(), args, { env, input, encoding: 'utf8', timeout: 20_000 })
  if (r.status !== 0) throw new Error(`seeder ${args.join(' ')} failed: ${r.stderr}${r.error?.message ?? ''}`)
  return r.stdout
}

/**
 * Creates the collection `label` unlocked, as aws-vault's first `add` would after the user typed a
 * password for it: gnome-keyring asks for that password in a prompt (CreateCollection returns a
 * prompt), which a test bus has no one to answer, so this uses gnome-keyring's internal
 * CreateWithMasterPassword (what `gnome-keyring-daemon --unlock` does for "login") instead.
 * The items in it are then written by aws-vault's own code (`seeder set`).
 */
export async function createCollection(env: NodeJS.ProcessEnv, label: string, password: string): Promise<string> {
  const path = sessionBusPath(env)
  if (!path) throw new Error('no session bus')
  const bus = await DBusConnection.open(path, 10_000)
  try {
    const secrets = { destination: 'org.freedesktop.secrets', path: '/org/freedesktop/secrets' }
    const [, session] = await bus.call({
      ...secrets,
      interface: 'org.freedesktop.Secret.Service',
      member: 'OpenSession',
      signature: 'sv',
      body: ['plain', { signature: 's', value: '' }],
    })
    const [collection] = await bus.call({
      ...secrets,
      interface: 'org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface',
      member: 'CreateWithMasterPassword',
      signature: 'a{sv}(oayays)',
      body: [
        [['org.freedesktop.Secret.Collection.Label', { signature: 's', value: label }]],
        [session, Buffer.alloc(0), Buffer.from(password), 'text/plain'],
      ],
    })
    return String(collection)
  } finally {
    bus.close()
  }
}
