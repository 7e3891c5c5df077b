import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AwsVaultSecretService, decodeKeyringString } from '../../src/aws-vault/secret-service.js'
import { NotFoundError, StoreError } from '../../src/errors.js'
import { createCollection, credentialItem, type GoItem, seeder } from '../oracles/aws-vault-keyring.js'
import { PrivateKeyring } from '../stores/gnome-keyring.js'

/** A cached session as aws-vault's SessionKeyring.Set writes it (vault/sessionkeyring.go). */
const sessionItem: GoItem = {
  Key: `sts.GetSessionToken,${Buffer.from('caktus').toString('base64url')},,1900000000`,
  Data: Buffer.from(
    JSON.stringify({
      AccessKeyId: 'ASIASESSION000000001',
      SecretAccessKey: 'x',
      SessionToken: 'tok',
      Expiration: '2030-03-17T17:46:40Z',
    }),
  ).toString('base64'),
  Label: 'aws-vault session for caktus (expires 2030-03-17T17:46:40Z)',
  Description: 'aws-vault session',
}

describe("aws-vault's Secret Service collection, seeded by 99designs/keyring's own code", () => {
  const keyring = new PrivateKeyring()
  const open = (collection = 'awsvault', env = keyring.env, timeoutMs = 5000) =>
    new AwsVaultSecretService({ env, collection, timeoutMs })
  before(async () => {
    await keyring.startBus()
    await keyring.startKeyring('pw')
    const items = [
      credentialItem('caktus', 'AKIACAKTUS0000000001', 'caktus-secret'),
      credentialItem('saguaro', 'AKIASAGUARO000000002', 'saguaro/secret+<&>'),
      sessionItem,
    ]
    await createCollection(keyring.env, 'awsvault', 'pw')
    await createCollection(keyring.env, 'work-keys', 'pw')
    seeder(keyring.env, ['set'], JSON.stringify(items))
    seeder(
      { ...keyring.env, AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME: 'work-keys' },
      ['set'],
      JSON.stringify([items[0]]),
    )
  })
  after(() => keyring.close())

  it('lists the item labels aws-vault lists (Keys), and reads each item as Get does', async () => {
    const store = open()
    try {
      const oracle = JSON.parse(seeder(keyring.env, ['keys'])) as string[]
      assert.deepEqual(await store.keys(), [...oracle].sort())
      assert.deepEqual(await store.keys(), ['caktus', 'saguaro', sessionItem.Key])
      for (const key of oracle) {
        const go = JSON.parse(seeder(keyring.env, ['get', key])) as GoItem
        const item = await store.get(key)
        assert.equal(item?.key, go.Key)
        assert.equal(item?.data, Buffer.from(go.Data, 'base64').toString('utf8'))
        assert.equal(item?.label, go.Label)
      }
      assert.equal(await store.get('nobody'), null)
    } finally {
      store.close()
    }
  })

  it('finds a collection whose label gnome-keyring escapes in its path (work-keys → work_2dkeys)', async () => {
    const store = open('work-keys')
    try {
      assert.deepEqual(await store.keys(), ['caktus'])
    } finally {
      store.close()
    }
  })

  it('an absent collection is NotFound, naming it', async () => {
    const store = open('nothere')
    await assert.rejects(store.keys(), (err: unknown) => {
      assert.ok(err instanceof NotFoundError)
      assert.equal(err.message, `aws-vault's Secret Service collection "nothere" does not exist: nothing to import`)
      return true
    })
    store.close()
  })

  it('no session bus, or no Secret Service on it, is "unavailable" at once', async () => {
    const noBus = open('awsvault', { DBUS_SESSION_BUS_ADDRESS: `unix:path=${keyring.home}/no-such-socket` })
    await assert.rejects(noBus.keys(), (err: unknown) => err instanceof StoreError && err.reason === 'unavailable')
    const unset = open('awsvault', { XDG_RUNTIME_DIR: keyring.home })
    await assert.rejects(unset.keys(), /no session bus/)
  })

  it('a frozen daemon is a timeout within the deadline, not a hang', async () => {
    keyring.freezeKeyring(true)
    const started = Date.now()
    const store = open('awsvault', keyring.env, 700)
    try {
      await assert.rejects(store.keys(), (err: unknown) => err instanceof StoreError && err.reason === 'timeout')
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`)
    } finally {
      keyring.freezeKeyring(false)
      store.close()
    }
  })

  it('a locked collection is a "locked" error, with no prompt shown or left waiting', async () => {
    seeder(keyring.env, ['lock'])
    const store = open()
    const started = Date.now()
    await assert.rejects(store.keys(), (err: unknown) => {
      assert.ok(err instanceof StoreError)
      assert.equal(err.reason, 'locked')
      assert.equal(err.message, `aws-vault's Secret Service collection "awsvault" is locked`)
      return true
    })
    assert.ok(Date.now() - started < 3000)
    store.close()
  })
})

describe('decodeKeyringString (99designs/keyring secretservice.go)', () => {
  for (const [input, want] of [
    ['/org/freedesktop/secrets/collection/awsvault', '/org/freedesktop/secrets/collection/awsvault'],
    ['/org/freedesktop/secrets/collection/work_2dkeys', '/org/freedesktop/secrets/collection/work-keys'],
    ['a_2', 'a_2'], // too short: returned unchanged, as Go does
    ['a_zz', 'a_zz'], // not hex: unchanged
    ['_e2_82_ac', '€'],
  ]) {
    it(`${input} → ${want}`, () => assert.equal(decodeKeyringString(input), want))
  }
})
