import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type StoreError, UsageError } from '../../src/errors.js'
import { CredentialStore } from '../../src/stores/credential-store.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import type { LongTermKeys } from '../../src/vault/provider.js'

const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

describe('CredentialStore', () => {
  it('stores aws-vault’s item: key = profile, data = {"AccessKeyID","SecretAccessKey"}', async () => {
    const memory = new MemoryStore()
    await new CredentialStore(memory).set('caktus', KEYS)
    assert.deepEqual(await memory.get('caktus'), {
      key: 'caktus',
      data: '{"AccessKeyID":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}',
      label: 'aws-vault (caktus)',
    })
  })

  it('reads items aws-vault wrote, with its extra empty fields', async () => {
    const memory = new MemoryStore([
      {
        key: 'caktus',
        data: `{"AccessKeyID":"${KEYS.accessKeyId}","SecretAccessKey":"${KEYS.secretAccessKey}","SessionToken":"","ProviderName":""}`,
      },
    ])
    const store = new CredentialStore(memory)
    assert.deepEqual(await store.get('caktus'), KEYS)
    assert.equal(await store.get('nobody'), null)
  })

  it('lists and checks profiles from the key listing alone, skipping sessions and SSO tokens', async () => {
    const memory = new MemoryStore(
      [
        'saguaro',
        'caktus',
        'sts.GetSessionToken,Y2FrdHVz,,1700000000',
        'caktus session (1700000000)',
        'oidc:https://x.awsapps.com/start',
      ].map((key) => ({ key, data: '{}' })),
    )
    const store = new CredentialStore(memory)
    assert.deepEqual(await store.list(), ['caktus', 'saguaro'])
    assert.equal(await store.has('caktus'), true)
    assert.equal(await store.has('sts.GetSessionToken,Y2FrdHVz,,1700000000'), false)
    assert.equal(memory.calls.get, 0)
  })

  it('removes, and says whether there was anything', async () => {
    const store = new CredentialStore(new MemoryStore())
    await store.set('caktus', KEYS)
    assert.equal(await store.remove('caktus'), true)
    assert.equal(await store.remove('caktus'), false)
  })

  it('unreadable data is "corrupt", and the message holds no secret', async () => {
    const store = new CredentialStore(
      new MemoryStore([{ key: 'caktus', data: `{"SecretAccessKey":"${KEYS.secretAccessKey}"}` }]),
    )
    await assert.rejects(store.get('caktus'), (err: StoreError) => {
      assert.equal(err.reason, 'corrupt')
      assert.match(err.message, /profile "caktus"/)
      assert.ok(!`${err.message} ${err.hint}`.includes(KEYS.secretAccessKey))
      return true
    })
  })

  it('refuses a profile name that reads as a session item', async () => {
    await assert.rejects(new CredentialStore(new MemoryStore()).set('sts.AssumeRole,YQ,,1', KEYS), UsageError)
  })

  it("is what the credential chain needs: has and get, in aws-vault's item format", async () => {
    const memory = new MemoryStore()
    const keys: LongTermKeys = new CredentialStore(memory)
    assert.equal(await keys.has('caktus'), false)
    await new CredentialStore(memory).set('caktus', KEYS)
    assert.equal(await keys.has('caktus'), true)
    assert.deepEqual(await keys.get('caktus'), KEYS)
    // aws-vault vault/credentialkeyring.go: the item is the JSON of credentials.Value.
    assert.deepEqual(JSON.parse((await memory.get('caktus'))?.data ?? '{}'), {
      AccessKeyID: KEYS.accessKeyId,
      SecretAccessKey: KEYS.secretAccessKey,
    })
  })
})
