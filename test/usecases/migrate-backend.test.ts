import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NotFoundError, StoreError, UsageError } from '../../src/errors.js'
import { CredentialStore } from '../../src/stores/credential-store.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import { type MigrateRequest, migrateBackend } from '../../src/usecases/migrate-backend.js'

const SRC = { accessKeyId: 'AKIASOURCE0000000001', secretAccessKey: 's'.repeat(40) }
const DST = { accessKeyId: 'AKIATARGET0000000001', secretAccessKey: 'd'.repeat(40) }

function setup(fromName = 'secret-service', toName = 'file') {
  const fromStore = new MemoryStore()
  const toStore = new MemoryStore()
  const src = new CredentialStore(fromStore)
  const dst = new CredentialStore(toStore)
  let stdout = ''
  let stderr = ''
  const deps = {
    from: { name: fromName, keys: async () => src },
    to: { name: toName, keys: async () => dst },
    streams: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
  }
  const run = (req: Partial<MigrateRequest> = {}) =>
    migrateBackend(deps, { dryRun: false, overwrite: false, deleteSource: false, ...req })
  return { fromStore, toStore, src, dst, deps, run, out: () => stdout, err: () => stderr }
}

describe('migrateBackend (ByteNess aws-vault cli/migrate_backend.go, issue 25)', () => {
  it('refuses the same backend on both sides', async () => {
    // ByteNess cli/migrate_backend_test.go TestValidateMigrateBackendInput
    const t = setup('file', 'file')
    await assert.rejects(t.run(), UsageError)
  })

  it('moves credentials only: sessions and SSO tokens stay', async () => {
    // ByteNess cli/migrate_backend_test.go TestMigrationProfilesFiltersSessionsAndOIDCTokens
    const t = setup()
    await t.src.set('dev', SRC)
    await t.src.set('prod', SRC)
    for (const key of [
      'oidc:https://example.com/start',
      'sts.GetSessionToken,ZGV2,,9999999999',
      'dev session (6163)',
    ]) {
      await t.fromStore.set({ key, data: '{}' })
    }
    const results = await t.run()
    assert.deepEqual(
      results.map((r) => [r.profile, r.outcome]),
      [
        ['dev', 'copied'],
        ['prod', 'copied'],
      ],
    )
    assert.deepEqual(await t.toStore.keys(), ['dev', 'prod'])
    assert.equal(
      t.out(),
      'copied          dev              ****************0001\ncopied          prod             ****************0001\n',
    )
    assert.ok(!(t.out() + t.err()).includes(SRC.secretAccessKey))
  })

  it('--profile names one profile; one the source lacks is an error', async () => {
    // ByteNess cli/migrate_backend_test.go TestMigrationProfilesExplicitMissingProfile
    const t = setup()
    await t.src.set('dev', SRC)
    await t.src.set('prod', SRC)
    assert.deepEqual(
      (await t.run({ profile: 'prod' })).map((r) => r.profile),
      ['prod'],
    )
    await assert.rejects(t.run({ profile: 'missing' }), NotFoundError)
  })

  it('skips a profile the target holds other keys for, unless --overwrite', async () => {
    // ByteNess cli/migrate_backend_test.go TestMigrateOneCredentialSkipsExistingWithoutOverwrite
    const t = setup()
    await t.src.set('dev', SRC)
    await t.dst.set('dev', DST)
    const [skipped] = await t.run({ deleteSource: true })
    assert.equal(skipped.outcome, 'skipped')
    assert.equal(skipped.deleted, false)
    assert.deepEqual(await t.dst.get('dev'), DST)
    assert.deepEqual(await t.src.get('dev'), SRC)
    assert.match(t.err(), /skipped 1.*--overwrite replaces the keys the target holds/)
  })

  it('--overwrite --delete-source: overwritten, then deleted from the source', async () => {
    // ByteNess cli/migrate_backend_test.go TestMigrateBackendProfilesOverwritesAndDeletesSource
    const t = setup()
    await t.src.set('dev', SRC)
    await t.dst.set('dev', DST)
    const [r] = await t.run({ overwrite: true, deleteSource: true })
    assert.deepEqual([r.outcome, r.deleted], ['overwritten', true])
    assert.equal(await t.src.get('dev'), null)
    assert.deepEqual(await t.dst.get('dev'), SRC)
    assert.match(
      t.err(),
      /copied 0, overwritten 1, unchanged 0, skipped 0, refused or unreadable 0, deleted from source 1/,
    )
  })

  it('a read-back that differs keeps the source, and stops', async () => {
    // ByteNess cli/migrate_backend_test.go TestMigrateBackendProfilesVerificationFailureDoesNotDeleteSource
    const t = setup()
    await t.src.set('dev', SRC)
    const get = t.toStore.get.bind(t.toStore)
    t.toStore.get = async (key) => {
      const item = await get(key)
      return item && { ...item, data: '{"AccessKeyID":"CORRUPTED","SecretAccessKey":"corrupted"}' }
    }
    await assert.rejects(
      t.run({ deleteSource: true }),
      (err: unknown) => err instanceof StoreError && /the source still holds them/.test(err.message),
    )
    assert.deepEqual(await t.src.get('dev'), SRC)
  })

  it('--dry-run lists what would move, keys masked, and writes nothing', async () => {
    const t = setup()
    await t.src.set('dev', SRC)
    await t.src.set('prod', SRC)
    await t.dst.set('prod', DST)
    const sets = t.toStore.calls.set
    const results = await t.run({ dryRun: true, overwrite: true, deleteSource: true })
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['would copy', 'would overwrite'],
    )
    assert.equal(t.toStore.calls.set, sets)
    assert.equal(t.fromStore.calls.remove, 0)
    assert.match(t.out(), /^would copy +dev +\*{16}0001$/m)
    assert.match(t.err(), /would migrate 2 of 2 profiles from secret-service to file; no changes made/)
  })

  it('a rerun after a crash: keys the target already holds are unchanged, and then deleted from the source', async () => {
    const t = setup()
    await t.src.set('dev', SRC)
    await t.dst.set('dev', SRC)
    const sets = t.toStore.calls.set
    const [r] = await t.run({ deleteSource: true })
    assert.deepEqual([r.outcome, r.deleted], ['unchanged', true])
    assert.equal(t.toStore.calls.set, sets)
    assert.equal(await t.src.get('dev'), null)
  })

  it('passes the gate: a name or key `vault add` refuses stays in the source; an odd shape moves with a warning', async () => {
    const t = setup()
    const raw = (key: string, id: string) =>
      t.fromStore.set({ key, data: JSON.stringify({ AccessKeyID: id, SecretAccessKey: SRC.secretAccessKey }) })
    await raw('esc\u001b[2J', SRC.accessKeyId)
    await raw('shell', 'AKIA $(touch /tmp/PWN)')
    await raw('minio', 'minio-admin')
    const results = await t.run({ deleteSource: true })
    assert.deepEqual(
      results.map((r) => [r.profile, r.outcome]),
      [
        ['esc\u001b[2J', 'refused'],
        ['minio', 'copied'],
        ['shell', 'refused'],
      ],
    )
    assert.deepEqual(await t.toStore.keys(), ['minio'])
    assert.deepEqual((await t.fromStore.keys()).sort(), ['esc\u001b[2J', 'shell'])
    assert.match(t.err(), /not shaped like an AWS key/)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    assert.doesNotMatch(t.out() + t.err(), /[\u0000-\u0009\u000b-\u001f]/)
  })
})
