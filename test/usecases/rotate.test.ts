import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { StoreError } from '../../src/errors.js'
import { createRuntime } from '../../src/runtime/runtime.js'
import { SessionStore } from '../../src/sessions/session-store.js'
import { CredentialStore } from '../../src/stores/credential-store.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import type { SecretItem } from '../../src/stores/secret-store.js'
import { rotate } from '../../src/usecases/rotate.js'
import { noLock } from '../../src/vault/provider.js'
import { fixedClock, longTermKeys, recordingSts, stringSink } from '../fakes/fakes.js'
import { fakeIam } from '../iam/fake-iam.js'

const config = `[profile caktus]
region = us-east-1

[profile saguaro]
source_profile = caktus
role_arn = arn:aws:iam::222222222222:role/Dev
`

/** A memory store whose writes of long-term keys fail, like a keychain that locks mid-way. */
class StoreFailingOnKeys extends MemoryStore {
  override async set(item: SecretItem): Promise<void> {
    if (!item.key.startsWith('sts.'))
      throw new StoreError('the keychain is locked', 'locked', 'unlock the login keychain')
    return super.set(item)
  }
}

describe('vault rotate, the use case (issue 8)', () => {
  let home: string
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'vault-rotate-'))
    await writeFile(join(home, 'config'), config)
  })
  afterEach(async () => {
    await rm(home, { recursive: true, force: true })
  })

  function setup(store: MemoryStore) {
    const clock = fixedClock()
    const iam = fakeIam()
    iam.seed('jon', longTermKeys)
    const stdout = stringSink()
    const stderr = stringSink()
    const rt = createRuntime(
      { debug: false },
      {
        env: { HOME: home, AWS_CONFIG_FILE: join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none') },
        homedir: home,
        streams: { stdout: stdout.stream, stderr: stderr.stream },
        clock,
        hasTerminal: false,
        lock: noLock,
        stsFactory: recordingSts(clock).factory,
        iamFactory: iam.factory,
        sleep: async () => {},
        store: async () => store,
      },
    )
    return { rt, iam, clock, stdout, stderr }
  }

  /** The old keys, written past any failure the store injects (as `vault add` stored them earlier). */
  async function seedKeys(store: MemoryStore) {
    const data = JSON.stringify({
      AccessKeyID: longTermKeys.accessKeyId,
      SecretAccessKey: longTermKeys.secretAccessKey,
    })
    await MemoryStore.prototype.set.call(store, { key: 'caktus', data })
  }

  it('rotates the keys behind a role profile and removes the sessions on the way', async () => {
    const store = new MemoryStore()
    const t = setup(store)
    await seedKeys(store)
    // A cached role session made with the old keys, which rotation must remove.
    const expiration = new Date(t.clock.now().getTime() + 3600_000)
    const role = { type: 'sts.AssumeRole' as const, profile: 'saguaro', mfaSerial: '' }
    await new SessionStore(store).set(role, { ...longTermKeys, sessionToken: 't', expiration }, t.clock.now())
    await rotate(t.rt, { profile: 'saguaro', noSession: true })
    const [newKey] = t.iam.keysOf('jon')
    assert.notEqual(newKey, longTermKeys.accessKeyId)
    assert.equal((await new CredentialStore(store).get('caktus'))?.accessKeyId, newKey)
    assert.deepEqual(await store.keys(), ['caktus'], 'the cached role session is gone')
    // Issue 25: the result on stdout, progress on stderr.
    assert.equal(
      t.stdout.text(),
      'Rotated the access key of profile caktus: ****************MPLE is deleted, ****************0001 is stored\n',
    )
    assert.deepEqual(t.stderr.text().split('\n'), [
      'Rotating access key ****************MPLE of profile caktus, using its long-term keys (this can take up to 20 s)',
      'Created new access key ****************0001 for IAM user jon',
      'Stored the new access key for profile caktus',
      'Removed 1 cached session of profile saguaro',
      'Deleted old access key ****************MPLE',
      '',
    ])
  })

  it('a store that fails on the write: the old key stays stored and working, no stray key at IAM', async () => {
    const store = new StoreFailingOnKeys()
    const t = setup(store)
    await seedKeys(store)
    await assert.rejects(rotate(t.rt, { profile: 'caktus', noSession: true }), (err: StoreError) => {
      assert.ok(err instanceof StoreError)
      assert.match(
        err.message,
        /^profile "caktus": could not store the new access key \(the keychain is locked\); it was deleted at AWS, and the old key \*{16}MPLE is still stored and works$/,
      )
      assert.equal(err.hint, 'unlock the login keychain; then run: vault rotate caktus')
      return true
    })
    assert.deepEqual(t.iam.keysOf('jon'), [longTermKeys.accessKeyId])
    assert.deepEqual(await new CredentialStore(store).get('caktus'), longTermKeys)
    assert.deepEqual(t.iam.ops(), ['GetUser', 'CreateAccessKey', 'DeleteAccessKey'])
    assert.ok(!t.stderr.text().includes('AKIANEW'), 'keys are masked')
  })
})
