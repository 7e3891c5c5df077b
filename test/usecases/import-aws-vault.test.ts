import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AwsVaultSource } from '../../src/aws-vault/stores.js'
import { StoreError, UsageError } from '../../src/errors.js'
import { silentLogger } from '../../src/runtime/types.js'
import { CredentialStore } from '../../src/stores/credential-store.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import type { SecretItem, SecretStore } from '../../src/stores/secret-store.js'
import { checkImportFlags, importFromAwsVault } from '../../src/usecases/import-aws-vault.js'

/** aws-vault's item data: json.Marshal(aws.Credentials) (vault/credentialkeyring.go). */
const data = (id: string, secret: string, token = '') =>
  JSON.stringify({ AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Source: '', CanExpire: false })

const ID = 'AKIAIOSFODNN7EXAMPLE'
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'

function source(items: SecretItem[], same = false): AwsVaultSource & { opened: string[]; closed: number } {
  const src = {
    name: 'fake',
    where: "aws-vault's fake store",
    opened: [] as string[],
    closed: 0,
    keys: async () => items.map((i) => i.key).sort(),
    get: async (key: string) => items.find((i) => i.key === key) ?? null,
    isSameAs: (_: SecretStore) => same,
    close: () => {
      src.closed++
    },
  }
  return src
}

function setup(items: SecretItem[], options: { env?: Record<string, string>; platform?: NodeJS.Platform } = {}) {
  const vaultStore = new MemoryStore()
  const keys = new CredentialStore(vaultStore)
  const src = source(items)
  let stdout = ''
  let stderr = ''
  const deps = {
    env: options.env ?? {},
    homedir: '/nonexistent',
    log: silentLogger,
    passphrase: async () => assert.fail('no passphrase wanted'),
    platform: options.platform ?? ('linux' as NodeJS.Platform),
    keys: async () => keys,
    store: async () => vaultStore,
    awsVaultStore: async (name: string) => {
      src.opened.push(name)
      return src
    },
    streams: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
  }
  return { deps, keys, vaultStore, src, out: () => stdout, err: () => stderr }
}

describe('importFromAwsVault', () => {
  it('reads the store aws-vault would: --from-backend, else AWS_VAULT_BACKEND, else the platform default', async () => {
    for (const [backend, env, platform, want] of [
      ['pass', { AWS_VAULT_BACKEND: 'file' }, 'linux', 'pass'],
      [undefined, { AWS_VAULT_BACKEND: 'file' }, 'linux', 'file'],
      [undefined, {}, 'linux', 'secret-service'],
      [undefined, {}, 'darwin', 'keychain'],
    ] as const) {
      const t = setup([], { env, platform })
      await importFromAwsVault(t.deps, { dryRun: true, force: false, backend })
      assert.deepEqual(t.src.opened, [want])
      assert.equal(t.src.closed, 1)
    }
  })

  it('copies long-term keys, skips sessions, SSO tokens, session-token data and unreadable items', async () => {
    const t = setup([
      { key: 'caktus', data: data(ID, SECRET) },
      { key: 'sts.AssumeRole,c2FndWFybw,,1700000000', data: data('ASIA1', 'x', 'tok') },
      { key: 'oidc:https://x.awsapps.com/start', data: '{}' },
      { key: 'odd', data: data('ASIAODD0000000000001', 'x', 'tok') },
      { key: 'broken', data: 'not json' },
    ])
    const results = await importFromAwsVault(t.deps, { dryRun: false, force: false })
    assert.deepEqual(
      results.map((r) => [r.outcome, r.profile, r.section]),
      [
        ['incomplete', 'broken', 'keys'],
        ['copied', 'caktus', 'keys'],
        ['skipped', 'odd', 'session'],
        ['skipped', 'https://x.awsapps.com/start', 'SSO token'],
        ['skipped', 'saguaro', 'session sts.AssumeRole'],
      ],
    )
    assert.deepEqual(await t.keys.get('caktus'), { accessKeyId: ID, secretAccessKey: SECRET })
    assert.deepEqual(await t.keys.list(), ['caktus'])
    assert.equal(t.out().split('\n')[1], 'copied          caktus           ****************MPLE  [keys]')
    assert.ok(!t.out().includes(SECRET) && !t.err().includes(SECRET))
  })

  it('same keys are unchanged; other keys a conflict unless --force; --dry-run writes nothing', async () => {
    const t = setup([
      { key: 'caktus', data: data(ID, SECRET) },
      { key: 'saguaro', data: data(ID, SECRET) },
    ])
    await t.keys.set('caktus', { accessKeyId: ID, secretAccessKey: SECRET })
    await t.keys.set('saguaro', { accessKeyId: 'AKIAOTHER00000000000', secretAccessKey: 'o' })
    const setsBefore = t.vaultStore.calls.set
    const dry = await importFromAwsVault(t.deps, { dryRun: true, force: true })
    assert.deepEqual(
      dry.map((r) => r.outcome),
      ['unchanged', 'would copy'],
    )
    assert.equal(t.vaultStore.calls.set, setsBefore)
    const plain = await importFromAwsVault(t.deps, { dryRun: false, force: false })
    assert.deepEqual(
      plain.map((r) => r.outcome),
      ['unchanged', 'conflict'],
    )
    assert.match(t.err(), /1 conflict: --force replaces the keys vault holds/)
    const forced = await importFromAwsVault(t.deps, { dryRun: false, force: true })
    assert.deepEqual(
      forced.map((r) => r.outcome),
      ['unchanged', 'copied'],
    )
    assert.equal((await t.keys.get('saguaro'))?.accessKeyId, ID)
  })

  it('a read-back that differs from what was written is an error, not "copied"', async () => {
    const t = setup([{ key: 'caktus', data: data(ID, SECRET) }])
    const real = await t.deps.keys()
    t.deps.keys = async () =>
      ({
        get: async (p: string) => ((await real.get(p)) ? { accessKeyId: ID, secretAccessKey: 'mangled' } : null),
        set: (p: string, c: { accessKeyId: string; secretAccessKey: string }) => real.set(p, c),
      }) as unknown as CredentialStore
    await assert.rejects(
      importFromAwsVault(t.deps, { dryRun: false, force: false }),
      (err: unknown) => err instanceof StoreError && err.reason === 'corrupt' && !err.message.includes(SECRET),
    )
  })

  it("when vault's backend is aws-vault's store, there is nothing to import", async () => {
    const t = setup([{ key: 'caktus', data: data(ID, SECRET) }])
    t.deps.awsVaultStore = async () => source([{ key: 'caktus', data: data(ID, SECRET) }], true)
    assert.deepEqual(await importFromAwsVault(t.deps, { dryRun: false, force: false }), [])
    assert.equal(t.out(), '')
    assert.match(t.err(), /nothing to import: vault's backend is aws-vault's fake store/)
  })
})

describe('importFromAwsVault: the gate, and unreadable items (issue 28)', () => {
  it('refuses names and keys `vault add` refuses, prints nothing raw, and imports the rest', async () => {
    const hostile = ['new\nline', 'esc\u001b]0;owned\u0007', 'a]b', ' lead', 'x #y']
    const t = setup([
      ...hostile.map((key) => ({ key, data: data(ID, SECRET) })),
      { key: 'shell', data: data('AKIA$(touch /tmp/PWN)', SECRET) },
      { key: 'minio', data: data('minio-admin', SECRET) },
      { key: 'caktus', data: data(ID, SECRET) },
    ])
    const results = await importFromAwsVault(t.deps, { dryRun: false, force: false })
    const outcome = Object.fromEntries(results.map((r) => [r.profile, r.outcome]))
    for (const key of [...hostile, 'shell']) assert.equal(outcome[key], 'refused', key)
    assert.equal(outcome.minio, 'copied')
    assert.equal(outcome.caktus, 'copied')
    assert.deepEqual(await t.keys.list(), ['caktus', 'minio'])
    // Escaped on stdout and stderr: no raw control character, no secret, the odd key masked.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    assert.doesNotMatch(t.out() + t.err(), /[\u0000-\u0009\u000b-\u001f\u007f]/)
    assert.match(t.out(), /^refused +new\\nline +- {2}\[keys\]$/m)
    assert.match(t.err(), /not shaped like an AWS key/)
    assert.ok(!(t.out() + t.err()).includes('$(touch'))
    assert.ok(!(t.out() + t.err()).includes(SECRET))
    assert.match(t.err(), /2 of 8 items copied .*; 6 refused or unreadable, see above/)
  })

  it('an item that cannot be read is skipped and reported; the rest is imported', async () => {
    const t = setup([
      { key: 'broken', data: '' },
      { key: 'caktus', data: data(ID, SECRET) },
      { key: 'saguaro', data: data(ID, SECRET) },
    ])
    const get = t.src.get
    t.src.get = async (key: string) => {
      if (key === 'broken') throw new StoreError('/home/u/.awsvault/keys/broken is corrupted (empty)', 'corrupt')
      return get(key)
    }
    const results = await importFromAwsVault(t.deps, { dryRun: false, force: false })
    assert.deepEqual(
      results.map((r) => [r.profile, r.outcome]),
      [
        ['broken', 'unreadable'],
        ['caktus', 'copied'],
        ['saguaro', 'copied'],
      ],
    )
    assert.match(t.err(), /cannot read aws-vault's item "broken", skipped: .*is corrupted \(empty\)/)
  })

  it("a wrong passphrase or a locked store is no item's fault: the import stops there", async () => {
    for (const reason of ['passphrase', 'locked', 'timeout'] as const) {
      const t = setup([{ key: 'caktus', data: data(ID, SECRET) }])
      t.src.get = async () => {
        throw new StoreError('wrong passphrase for the folder', reason)
      }
      await assert.rejects(importFromAwsVault(t.deps, { dryRun: false, force: false }), StoreError)
    }
  })
})

describe('checkImportFlags', () => {
  it('--from-backend needs --from aws-vault; --remove-sessions is for the credentials file', () => {
    assert.throws(
      () => checkImportFlags('credentials-file', { fromBackend: 'file', removeSessions: false }),
      UsageError,
    )
    assert.throws(() => checkImportFlags('aws-vault', { removeSessions: true }), UsageError)
    checkImportFlags('aws-vault', { fromBackend: 'file', removeSessions: false })
    checkImportFlags('credentials-file', { removeSessions: true })
  })
})
