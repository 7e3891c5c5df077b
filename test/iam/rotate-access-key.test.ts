import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AwsCredentials } from '../../src/aws/credentials.js'
import { AwsCallError, StoreError } from '../../src/errors.js'
import { propagation, type RotationDeps, type RotationPlan, rotateAccessKey } from '../../src/iam/rotate-access-key.js'
import { memoryRotationJournal } from '../../src/iam/rotation-journal.js'
import { longTermKeys, memoryLogger } from '../fakes/fakes.js'
import { type FakeIamOptions, fakeIam } from './fake-iam.js'

const target = { region: 'us-east-1', endpoint: 'http://iam.test' }

function setup(options: FakeIamOptions & { failSet?: (n: number) => Error | undefined } = {}) {
  const iam = fakeIam(options)
  iam.seed('jon', longTermKeys)
  const stored = new Map<string, AwsCredentials>([['caktus', longTermKeys]])
  const sleeps: number[] = []
  const removed: string[] = []
  const lines: string[] = []
  let sets = 0
  const journal = memoryRotationJournal()
  const deps: RotationDeps = {
    keys: {
      set: async (profile, creds) => {
        sets += 1
        const err = options.failSet?.(sets)
        if (err) throw err
        stored.set(profile, creds)
      },
    },
    removeSessions: async (profile) => {
      removed.push(profile)
      return profile === 'caktus' ? 2 : 0
    },
    isStored: async (id) => [...stored.values()].some((c) => c.accessKeyId === id),
    journal,
    iam: iam.factory,
    sleep: async (ms) => void sleeps.push(ms),
    log: memoryLogger(),
    say: (line) => void lines.push(line),
  }
  const plan: RotationPlan = {
    active: 'saguaro',
    holder: 'caktus',
    chain: ['saguaro', 'caktus'],
    oldKeys: longTermKeys,
    caller: longTermKeys,
    target,
    deleteWithNewKey: true,
  }
  return { iam, stored, sleeps, removed, lines, deps, plan, journal }
}

/** No full access key id may appear in anything vault says. */
function assertMasked(texts: string[], ...ids: string[]) {
  for (const text of texts) for (const id of ids) assert.ok(!text.includes(id), `"${text}" shows ${id} unmasked`)
}

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { hint?: string; exitCode?: number; code?: string }> {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  assert.fail('expected a rejection')
}

describe('rotateAccessKey (issue 8)', () => {
  it('creates, stores, clears the chain sessions, then deletes the old key signed with the new one', async () => {
    const t = setup()
    const result = await rotateAccessKey(t.plan, t.deps)
    const [newKey] = t.iam.keysOf('jon')
    assert.deepEqual(t.iam.keysOf('jon'), [result.newKeyId], 'exactly one key left: the new one')
    assert.equal(t.stored.get('caktus')?.accessKeyId, newKey)
    assert.deepEqual(t.iam.ops(), ['GetUser', 'CreateAccessKey', 'DeleteAccessKey'])
    assert.deepEqual(t.iam.calls[1].input, { userName: 'jon' }, 'UserName passed explicitly after GetUser')
    assert.deepEqual(t.iam.calls[2].input, { userName: 'jon', accessKeyId: longTermKeys.accessKeyId })
    assert.equal(t.iam.calls[0].signedWith, longTermKeys.accessKeyId)
    assert.equal(t.iam.calls[2].signedWith, newKey, 'the new key proves it works by deleting the old one')
    assert.deepEqual(t.iam.calls[0].target, target)
    assert.deepEqual(t.removed, ['saguaro', 'caktus'])
    assert.ok(t.lines.includes('Removed 2 cached sessions of profile caktus'))
    assert.ok(t.lines.includes('Deleted old access key ****************MPLE'))
    assertMasked(t.lines, longTermKeys.accessKeyId, newKey)
  })

  it('a failure injected while storing the key: the new key is deleted at AWS and the old one stays', async () => {
    const locked = new StoreError('the keychain is locked', 'locked', 'unlock it')
    const t = setup({ failSet: () => locked })
    const err = await rejection(rotateAccessKey(t.plan, t.deps))
    assert.ok(err instanceof StoreError)
    assert.equal(err.exitCode, 69)
    assert.deepEqual(t.iam.keysOf('jon'), [longTermKeys.accessKeyId], 'no stray key at IAM')
    assert.deepEqual(t.stored.get('caktus'), longTermKeys, 'the old key is still stored')
    assert.deepEqual(t.iam.ops(), ['GetUser', 'CreateAccessKey', 'DeleteAccessKey'])
    assert.equal(t.iam.calls[2].signedWith, longTermKeys.accessKeyId, 'clean-up signed with the old key')
    assert.match(err.message, /could not store the new access key \(the keychain is locked\); it was deleted at AWS/)
    assert.match(err.message, /old key \*{16}MPLE is still stored and works/)
    assert.equal(err.hint, 'unlock it; then run: vault rotate saguaro')
    assert.deepEqual(t.removed, [], 'sessions untouched')
    // The old key still works: it signs a call.
    await t.iam.factory(longTermKeys, target).getUser()
    assertMasked([err.message, err.hint ?? '', ...t.lines], longTermKeys.accessKeyId, 'AKIANEW0000000000001')
  })

  it('says exactly what is left when storing fails and the clean-up fails too', async () => {
    const t = setup({
      failSet: () => new StoreError('the keychain is locked', 'locked'),
      fail: (c) =>
        c.op === 'DeleteAccessKey' ? new AwsCallError('DeleteAccessKey failed: Throttling', 'Throttling') : undefined,
    })
    const err = await rejection(rotateAccessKey(t.plan, t.deps))
    assert.ok(err instanceof StoreError)
    assert.match(
      err.message,
      /could not store the new access key \*{16}0001 \(the keychain is locked\), and deleting it at AWS failed too/,
    )
    assert.match(err.hint ?? '', /old key \*{16}MPLE is still stored and works; delete \*{16}0001 of IAM user jon/)
    assert.deepEqual(t.stored.get('caktus'), longTermKeys)
    assertMasked([err.message, err.hint ?? ''], 'AKIANEW0000000000001', longTermKeys.accessKeyId)
  })

  it('retries the deletion while the new key propagates', async () => {
    const t = setup({ propagationCalls: 3 })
    await rotateAccessKey(t.plan, t.deps)
    assert.deepEqual(t.iam.ops(), [
      'GetUser',
      'CreateAccessKey',
      'DeleteAccessKey',
      'DeleteAccessKey',
      'DeleteAccessKey',
      'DeleteAccessKey',
    ])
    assert.deepEqual(t.sleeps, [2000, 2000, 2000])
    assert.equal(t.iam.keysOf('jon').length, 1)
  })

  it('rolls back when AWS never accepts the new key: the old key is stored again and the new one deleted', async () => {
    const t = setup({ propagationCalls: 1000 })
    const err = await rejection(rotateAccessKey(t.plan, t.deps))
    assert.ok(err instanceof AwsCallError)
    assert.equal(t.sleeps.length, propagation.attempts - 1)
    assert.ok(t.sleeps.reduce((a, b) => a + b, 0) >= 18_000, 'about 20 s of retrying')
    assert.deepEqual(t.stored.get('caktus'), longTermKeys)
    assert.deepEqual(t.iam.keysOf('jon'), [longTermKeys.accessKeyId])
    assert.match(
      err.message,
      /did not accept the new access key \*{16}0001 within 20 s \(InvalidClientTokenId\), so the rotation was rolled back/,
    )
    assert.equal(err.hint, 'try again in a minute: vault rotate saguaro')
  })

  it('keeps the new key and names the old one when only its deletion is refused', async () => {
    const denied = new AwsCallError('DeleteAccessKey: access denied: not allowed', 'AccessDenied')
    const t = setup({ fail: (c) => (c.op === 'DeleteAccessKey' ? denied : undefined) })
    const err = await rejection(rotateAccessKey(t.plan, t.deps))
    assert.equal(t.sleeps.length, 0, 'access denied is not retried')
    assert.match(err.message, /the new access key \*{16}0001 is stored, but deleting the old key \*{16}MPLE failed/)
    assert.match(err.hint ?? '', /aws iam delete-access-key --user-name jon/)
    assert.equal(t.stored.get('caktus')?.accessKeyId, 'AKIANEW0000000000001')
  })

  it('signs everything with the MFA session when one is used', async () => {
    const t = setup()
    const session = { accessKeyId: 'ASIASESSION000000001', secretAccessKey: 's', sessionToken: 't' }
    t.iam.trustSession('jon', session.accessKeyId)
    await rotateAccessKey({ ...t.plan, caller: session, deleteWithNewKey: false }, t.deps)
    assert.deepEqual(
      t.iam.calls.map((c) => c.signedWith),
      [session.accessKeyId, session.accessKeyId, session.accessKeyId],
    )
    assert.equal(t.iam.keysOf('jon').length, 1)
  })

  it('refuses clearly when the user already has two keys, and creates nothing', async () => {
    const t = setup()
    t.iam.seed('jon', { accessKeyId: 'AKIAOTHER00000000009', secretAccessKey: 'x' })
    const err = await rejection(rotateAccessKey(t.plan, t.deps))
    assert.equal(err.message, 'IAM user "jon" already has two access keys, the most AWS allows')
    assert.match(err.hint ?? '', /delete the one that is not \*{16}MPLE/)
    assert.deepEqual(t.stored.get('caktus'), longTermKeys)
  })

  it('refuses keys that belong to no IAM user (the root user)', async () => {
    const t = setup()
    const root: RotationDeps['iam'] = (creds, tg) => ({
      ...t.iam.factory(creds, tg),
      getUser: async () => ({ userName: '', arn: 'arn:aws:iam::111111111111:root' }),
    })
    const err = await rejection(rotateAccessKey(t.plan, { ...t.deps, iam: root }))
    assert.match(err.message, /belongs to arn:aws:iam::111111111111:root, not to an IAM user/)
    assert.deepEqual(t.iam.ops(), [])
  })

  it('treats an old key that is already gone as deleted', async () => {
    const t = setup({
      fail: (c) => (c.op === 'DeleteAccessKey' ? new AwsCallError('gone', 'NoSuchEntity') : undefined),
    })
    await rotateAccessKey(t.plan, t.deps)
    assert.ok(t.lines.includes('Old access key ****************MPLE was already deleted'))
  })

  // Issue 15: a rotation killed between CreateAccessKey and the deletion of the old key. aws-vault
  // (ByteNess cli/rotate.go RotateCommand) keeps no record: its rerun fails at CreateAccessKey with
  // LimitExceeded while the user holds two keys. vault's journal lets the rerun finish or undo it.
  describe('a rotation killed half-way (issue 15)', () => {
    /** Runs rotation until the call `op` is made, then stops it dead, as kill -9 would. */
    async function killedAt(t: ReturnType<typeof setup>, op: string) {
      const dead = new Error('killed')
      const iam: RotationDeps['iam'] = (creds, tg) => {
        const port = t.iam.factory(creds, tg)
        const cut =
          <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) =>
          async (...a: A) => {
            const r = await fn(...a)
            if (name === op) throw dead
            return r
          }
        return {
          getUser: cut('GetUser', port.getUser),
          listAccessKeys: cut('ListAccessKeys', port.listAccessKeys),
          createAccessKey: cut('CreateAccessKey', port.createAccessKey),
          deleteAccessKey: cut('DeleteAccessKey', port.deleteAccessKey),
        }
      }
      await assert.rejects(rotateAccessKey(t.plan, { ...t.deps, iam }), dead)
    }

    /** Runs rotation until it stores the new key, and leaves it there for ever, as kill -9 would. */
    async function killedStoring(t: ReturnType<typeof setup>) {
      void rotateAccessKey(t.plan, { ...t.deps, keys: { set: () => new Promise<void>(() => {}) } })
      while (!t.journal.entries.get('caktus')?.createdKeyId) await new Promise((r) => setImmediate(r))
    }

    // Issue 28: the journal names the key the rotation created as soon as AWS returns it.
    it('killed after CreateAccessKey, before storing: the rerun deletes that key only, and rotates', async () => {
      const t = setup()
      await killedStoring(t)
      assert.deepEqual(t.iam.keysOf('jon'), [longTermKeys.accessKeyId, 'AKIANEW0000000000001'])
      assert.deepEqual(t.journal.entries.get('caktus'), {
        userName: 'jon',
        oldKeyId: longTermKeys.accessKeyId,
        createdKeyId: 'AKIANEW0000000000001',
      })
      assert.deepEqual(t.stored.get('caktus'), longTermKeys, 'the old key is still stored')
      t.iam.calls.length = 0
      const result = await rotateAccessKey(t.plan, t.deps)
      assert.deepEqual(t.iam.ops(), [
        'GetUser',
        'ListAccessKeys',
        'DeleteAccessKey',
        'CreateAccessKey',
        'DeleteAccessKey',
      ])
      assert.deepEqual(t.iam.calls[2].input, { userName: 'jon', accessKeyId: 'AKIANEW0000000000001' })
      assert.deepEqual(t.iam.keysOf('jon'), [result.newKeyId])
      assert.equal(t.stored.get('caktus')?.accessKeyId, result.newKeyId)
      assert.ok(
        t.lines.includes(
          'Deleted access key ****************0001: an interrupted rotation created it and never stored it',
        ),
      )
      assert.equal(t.journal.entries.size, 0)
    })

    // Issue 28: the rerun, however much later, deleted every key neither stored nor in the list
    // from before, a key the user made since for CI among them.
    it('a key the user made since the interrupted rotation is named and left alone', async () => {
      const t = setup()
      await killedStoring(t)
      // The user deletes the stray key by hand, then makes one for CI.
      await t.iam
        .factory(longTermKeys, target)
        .deleteAccessKey({ userName: 'jon', accessKeyId: 'AKIANEW0000000000001' })
      const ci = await t.iam.factory(longTermKeys, target).createAccessKey({ userName: 'jon' })
      t.iam.calls.length = 0
      await assert.rejects(rotateAccessKey(t.plan, t.deps), /already has two access keys/)
      assert.deepEqual(t.iam.keysOf('jon'), [longTermKeys.accessKeyId, ci.accessKeyId], 'the CI key survives')
      assert.deepEqual(
        t.iam.calls.filter((c) => c.op === 'DeleteAccessKey').map((c) => c.input),
        [{ userName: 'jon', accessKeyId: 'AKIANEW0000000000001' }],
        'only the key the rotation created is ever deleted',
      )
      assert.ok(
        t.lines.includes(
          `Left access key ****************${ci.accessKeyId.slice(-4)} of IAM user jon alone: no rotation by vault created it`,
        ),
        t.lines.join('\n'),
      )
      assert.equal(t.journal.entries.size, 0)
    })

    it('killed before AWS answered CreateAccessKey (or before it was journaled): the unknown key is left alone', async () => {
      const t = setup()
      await killedAt(t, 'CreateAccessKey')
      assert.deepEqual(t.journal.entries.get('caktus'), { userName: 'jon', oldKeyId: longTermKeys.accessKeyId })
      await assert.rejects(rotateAccessKey(t.plan, t.deps), /already has two access keys/)
      assert.deepEqual(t.iam.keysOf('jon'), [longTermKeys.accessKeyId, 'AKIANEW0000000000001'], 'nothing deleted')
      assert.ok(t.lines.some((l) => l.startsWith('Left access key ****************0001 of IAM user jon alone')))
    })

    it('a created key that a profile stores (added by hand) is kept', async () => {
      const t = setup()
      await killedStoring(t)
      t.stored.set('ci', { accessKeyId: 'AKIANEW0000000000001', secretAccessKey: 'n'.repeat(40) })
      await assert.rejects(rotateAccessKey(t.plan, t.deps), /already has two access keys/)
      assert.deepEqual(t.iam.keysOf('jon'), [longTermKeys.accessKeyId, 'AKIANEW0000000000001'])
    })

    it('killed after storing, before deleting the old key: the rerun finishes that rotation only', async () => {
      const t = setup()
      const dead = new Error('killed')
      const iam: RotationDeps['iam'] = (creds, tg) => ({
        ...t.iam.factory(creds, tg),
        deleteAccessKey: async (input) => {
          if (input.accessKeyId === longTermKeys.accessKeyId) throw dead
          return t.iam.factory(creds, tg).deleteAccessKey(input)
        },
      })
      await assert.rejects(rotateAccessKey(t.plan, { ...t.deps, iam }))
      const newKey = t.stored.get('caktus')?.accessKeyId
      assert.notEqual(newKey, longTermKeys.accessKeyId, 'the new key is stored')
      assert.deepEqual(t.iam.keysOf('jon').sort(), [longTermKeys.accessKeyId, newKey].sort(), 'the old key remains')
      t.iam.calls.length = 0
      t.removed.length = 0
      // The rerun reads the new key as the stored one, as `vault rotate` would.
      const result = await rotateAccessKey({ ...t.plan, oldKeys: t.stored.get('caktus') ?? longTermKeys }, t.deps)
      assert.deepEqual(result, { userName: 'jon', oldKeyId: longTermKeys.accessKeyId, newKeyId: newKey })
      assert.deepEqual(t.iam.ops(), ['GetUser', 'ListAccessKeys', 'DeleteAccessKey'], 'no third key is created')
      assert.deepEqual(t.iam.keysOf('jon'), [newKey])
      assert.deepEqual(t.removed, ['saguaro', 'caktus'], 'sessions made with the old key are removed')
      assert.ok(
        t.lines.includes(
          `Finishing an interrupted rotation of profile caktus: the new access key ****************${newKey?.slice(-4)} is stored`,
        ),
      )
      assert.equal(t.journal.entries.size, 0)
    })

    it('a journal that cannot be written (a full HOME) does not stop the rotation', async () => {
      const t = setup()
      const full = Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' })
      const journal = {
        ...t.journal,
        write: async () => Promise.reject(full),
        remove: async () => Promise.reject(full),
      }
      const result = await rotateAccessKey(t.plan, { ...t.deps, journal })
      assert.deepEqual(t.iam.keysOf('jon'), [result.newKeyId])
      assert.equal(t.stored.get('caktus')?.accessKeyId, result.newKeyId)
    })

    it('without iam:ListAccessKeys a rerun still deletes the key it created', async () => {
      const t = setup({
        fail: (c) =>
          c.op === 'ListAccessKeys' ? new AwsCallError('ListAccessKeys: access denied', 'AccessDenied') : undefined,
      })
      await killedStoring(t)
      const result = await rotateAccessKey(t.plan, t.deps)
      assert.deepEqual(t.iam.keysOf('jon'), [result.newKeyId])
      assert.equal(t.journal.entries.size, 0)
    })

    it('a journal from before a `vault add` of another key of the user is dropped, and nothing is deleted', async () => {
      const t = setup()
      const other = { accessKeyId: 'AKIAOTHER00000000001', secretAccessKey: 'o'.repeat(40) }
      t.iam.seed('jon', other)
      await t.deps.journal.write('caktus', {
        userName: 'jon',
        oldKeyId: 'AKIAGONE000000000001',
        createdKeyId: other.accessKeyId,
      })
      await assert.rejects(rotateAccessKey(t.plan, t.deps), /already has two access keys/)
      assert.deepEqual(t.iam.keysOf('jon'), [longTermKeys.accessKeyId, other.accessKeyId], 'no key deleted')
    })
  })
})
