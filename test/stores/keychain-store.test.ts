import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { StoreError } from '../../src/errors.js'
import { isVanishedItem, keychainError, keychainErrorReason } from '../../src/stores/keychain-errors.js'
import {
  KeychainStore,
  type KeychainStoreOptions,
  type KeyringBinding,
  VANISHED_ATTEMPTS,
  WINCRED_MAX_BLOB_BYTES,
} from '../../src/stores/keychain-store.js'
import { keychainCallsPending } from '../../src/stores/native-calls.js'
import type { DirectCalls } from '../../src/stores/secret-service-direct.js'

/** Direct calls that hand every case to the native module. */
const handOff: DirectCalls = {
  read: async () => 'native',
  write: async () => 'native',
  remove: async () => 'native',
  list: async () => 'native',
}

/** A fake @napi-rs/keyring: a map of passwords, a call log, and hooks to fail or hang. */
function fakeBinding(opts: { fail?: string; failTimes?: number; hang?: boolean; ctorFail?: string } = {}) {
  const passwords = new Map<string, string>()
  const calls: string[] = []
  let failures = 0
  const act = <T>(name: string, value: () => T): Promise<T> => {
    calls.push(name)
    if (opts.hang) return new Promise(() => {})
    if (opts.fail && failures++ < (opts.failTimes ?? Number.POSITIVE_INFINITY))
      return Promise.reject(Object.assign(new Error(opts.fail), { code: 'GenericFailure' }))
    return Promise.resolve(value())
  }
  class AsyncEntry {
    constructor(
      readonly service: string,
      readonly account: string,
      readonly options?: unknown,
    ) {
      calls.push(`new ${service}/${account} ${JSON.stringify(options)}`)
      if (opts.ctorFail) throw new Error(opts.ctorFail)
    }
    getPassword() {
      return act('getPassword', () => passwords.get(this.account) ?? null)
    }
    setPassword(password: string) {
      return act('setPassword', () => void passwords.set(this.account, password))
    }
    deleteCredential() {
      return act('deleteCredential', () => passwords.delete(this.account))
    }
  }
  const binding = {
    AsyncEntry,
    findCredentialsAsync: (service: string) =>
      act(`find ${service}`, () => [...passwords].map(([account, password]) => ({ account, password }))),
  } as unknown as KeyringBinding
  return { binding, passwords, calls }
}

function storeWith(
  fake: ReturnType<typeof fakeBinding>,
  extra: {
    platform?: NodeJS.Platform
    timeoutMs?: number
    direct?: Partial<DirectCalls>
    probeBus?: KeychainStoreOptions['probeBus']
  } = {},
) {
  let loads = 0
  const store = new KeychainStore({
    backend: 'secret-service',
    platform: extra.platform ?? 'linux',
    timeoutMs: extra.timeoutMs,
    direct: extra.direct && { ...handOff, ...extra.direct },
    probeBus: extra.probeBus,
    loadBinding: async () => {
      loads++
      return fake.binding
    },
  })
  return { store, loads: () => loads }
}

describe('KeychainStore (fake native module)', () => {
  it('loads the native module only on first use, and pins Linux to the Secret Service', async () => {
    const fake = fakeBinding()
    const { store, loads } = storeWith(fake)
    assert.equal(loads(), 0)
    await store.set({ key: 'caktus', data: '{"AccessKeyID":"A"}', label: 'ignored' })
    assert.deepEqual(await store.get('caktus'), { key: 'caktus', data: '{"AccessKeyID":"A"}' })
    assert.equal(loads(), 1)
    assert.equal(fake.calls[0], 'new aws-vault/caktus {"linux":{"store":"secret-service"}}')
  })

  it('a direct read that finds the item, or finds none, never loads the native module', async () => {
    const fake = fakeBinding()
    const asked: string[] = []
    const { store, loads } = storeWith(fake, {
      timeoutMs: 1234,
      direct: {
        read: async (service, key, ms) => {
          asked.push(`${service}/${key} ${ms}`)
          return key === 'caktus' ? 'secret' : null
        },
      },
    })
    assert.deepEqual(await store.get('caktus'), { key: 'caktus', data: 'secret' })
    assert.equal(await store.get('nobody'), null)
    assert.equal(await store.has('caktus'), true)
    assert.deepEqual(asked, ['aws-vault/caktus 1234', 'aws-vault/nobody 1234', 'aws-vault/caktus 1234'])
    assert.equal(loads(), 0)
  })

  it("a direct read hands 'native' cases and its own failures to the native module; a timeout is the deadline's error", async () => {
    const fake = fakeBinding()
    fake.passwords.set('locked', 'from native')
    const { store } = storeWith(fake, {
      timeoutMs: 1500,
      direct: {
        read: async (_service, key) => {
          if (key === 'locked') return 'native'
          if (key === 'broken') throw new TypeError('a bug')
          throw Object.assign(new Error('no answer within 1.5s'), { errorName: 'timeout' })
        },
      },
    })
    assert.deepEqual(await store.get('locked'), { key: 'locked', data: 'from native' })
    assert.equal(await store.get('broken'), null)
    assert.deepEqual(fake.calls, [
      'new aws-vault/locked {"linux":{"store":"secret-service"}}',
      'getPassword',
      'new aws-vault/broken {"linux":{"store":"secret-service"}}',
      'getPassword',
    ])
    await assert.rejects(store.get('frozen'), (err: StoreError) => {
      assert.equal(err.reason, 'timeout')
      assert.equal(err.message, 'reading "frozen": the Secret Service keyring did not answer within 1.5s')
      return true
    })
    assert.equal(fake.calls.length, 4, 'no native call after a timeout')
  })

  it('direct writes, removals and listings that answer never load the native module', async () => {
    const fake = fakeBinding()
    const asked: string[] = []
    const items = new Map([['old', '0']])
    const { store, loads } = storeWith(fake, {
      timeoutMs: 1234,
      direct: {
        write: async (service, key, data, ms) => {
          asked.push(`write ${service}/${key}=${data} ${ms}`)
          items.set(key, data)
          return 'written'
        },
        remove: async (service, key, ms) => {
          asked.push(`remove ${service}/${key} ${ms}`)
          return items.delete(key)
        },
        list: async (service, ms) => {
          asked.push(`list ${service} ${ms}`)
          return [...items].map(([key, data]) => ({ key, data }))
        },
      },
    })
    await store.set({ key: 'caktus', data: '{"AccessKeyID":"A"}' })
    assert.equal(await store.remove('old'), true)
    assert.equal(await store.remove('old'), false)
    assert.deepEqual(await store.keys(), ['caktus'])
    assert.deepEqual(await store.entries(), [{ key: 'caktus', data: '{"AccessKeyID":"A"}' }])
    assert.deepEqual(asked, [
      'write aws-vault/caktus={"AccessKeyID":"A"} 1234',
      'remove aws-vault/old 1234',
      'remove aws-vault/old 1234',
      'list aws-vault 1234',
      'list aws-vault 1234',
    ])
    assert.equal(loads(), 0)
    assert.deepEqual(fake.calls, [])
  })

  it("direct writes, removals and listings hand 'native' cases and failures to the native module; a timeout is the deadline's error, naming the operation", async () => {
    const fake = fakeBinding()
    fake.passwords.set('kept', 'k')
    const timeout = async () => {
      throw Object.assign(new Error('no answer within 1.5s'), { errorName: 'timeout' })
    }
    const { store } = storeWith(fake, { timeoutMs: 1500, direct: handOff })
    await store.set({ key: 'caktus', data: 'c' })
    assert.equal(await store.remove('kept'), true)
    assert.deepEqual(await store.entries(), [{ key: 'caktus', data: 'c' }])
    assert.deepEqual(
      fake.calls.filter((c) => !c.startsWith('new ')),
      ['setPassword', 'deleteCredential', 'find aws-vault'],
    )
    const broken = storeWith(fake, {
      direct: {
        write: async () => {
          throw new TypeError('a bug')
        },
      },
    })
    await broken.store.set({ key: 'saguaro', data: 's' })
    assert.equal(fake.passwords.get('saguaro'), 's', "a failure of the direct call is the native call's to answer")
    const frozen = storeWith(fake, { timeoutMs: 1500, direct: { write: timeout, remove: timeout, list: timeout } })
    const calls = fake.calls.length
    for (const [action, op] of [
      ['writing "x"', () => frozen.store.set({ key: 'x', data: 'x' })],
      ['removing "x"', () => frozen.store.remove('x')],
      ['listing items', () => frozen.store.entries()],
    ] as const) {
      await assert.rejects(op(), (err: StoreError) => {
        assert.equal(err.reason, 'timeout')
        assert.equal(err.message, `${action}: the Secret Service keyring did not answer within 1.5s`)
        return true
      })
    }
    assert.equal(fake.calls.length, calls, 'no native call after a timeout')
  })

  it('keys() and entries() are one listing call each', async () => {
    const fake = fakeBinding()
    fake.passwords.set('a', '1').set('b', '2')
    const { store } = storeWith(fake)
    assert.deepEqual((await store.keys()).sort(), ['a', 'b'])
    assert.deepEqual(await store.entries(), [
      { key: 'a', data: '1' },
      { key: 'b', data: '2' },
    ])
    assert.equal(fake.calls.filter((c) => c.startsWith('find')).length, 2)
    assert.ok(fake.calls.every((c) => !c.startsWith('getPassword')))
  })

  it('has() is one targeted read, never a listing (issue 9)', async () => {
    const fake = fakeBinding()
    fake.passwords.set('caktus', '{}')
    const { store } = storeWith(fake)
    assert.equal(await store.has('caktus'), true)
    assert.equal(await store.has('nobody'), false)
    assert.deepEqual(
      fake.calls.filter((c) => !c.startsWith('new ')),
      ['getPassword', 'getPassword'],
    )
  })

  it('not found is null, and remove says whether there was anything', async () => {
    const { store } = storeWith(fakeBinding())
    assert.equal(await store.get('nobody'), null)
    assert.equal(await store.remove('nobody'), false)
  })

  it('a native call that never answers becomes a timeout error', async () => {
    const { store } = storeWith(fakeBinding({ hang: true }), { timeoutMs: 50 })
    const started = Date.now()
    await assert.rejects(store.get('caktus'), (err: StoreError) => {
      assert.equal(err.reason, 'timeout')
      assert.match(err.message, /did not answer within 0.05s/)
      assert.match(err.hint ?? '', /--backend file/)
      return true
    })
    assert.ok(Date.now() - started < 1000)
  })

  it('a silent D-Bus session bus is a timeout before any native call (issue 15)', async () => {
    for (const probeBus of [async () => 'silent' as const, () => new Promise<never>(() => {})]) {
      const fake = fakeBinding()
      const { store } = storeWith(fake, { timeoutMs: 50, probeBus })
      const started = Date.now()
      await assert.rejects(store.get('caktus'), (err: StoreError) => {
        assert.equal(err.reason, 'timeout')
        assert.equal(
          err.message,
          'reading "caktus": the Secret Service keyring did not answer within 0.05s (its D-Bus session bus, DBUS_SESSION_BUS_ADDRESS, did not answer)',
        )
        assert.match(err.hint ?? '', /dbus-daemon is running, or use --backend file/)
        return true
      })
      assert.ok(Date.now() - started < 1000)
      // The module may load meanwhile (loading connects nothing); nothing of it is called.
      assert.deepEqual(fake.calls, [], 'no native call, so no constructor to block the thread')
    }
  })

  it('the bus is probed before every native call (each opens its own D-Bus connection)', async () => {
    let probes = 0
    const fake = fakeBinding()
    const { store } = storeWith(fake, {
      probeBus: async () => {
        probes++
        return 'answered'
      },
    })
    await store.set({ key: 'caktus', data: 'x' })
    await store.get('caktus')
    await store.keys()
    assert.equal(probes, 3)
    assert.equal(fake.calls.length, 5)
  })

  it('a call stuck past its deadline counts as pending until it settles (what hard-exit.ts checks)', async () => {
    let finish: (v: string | null) => void = () => {}
    const binding = {
      AsyncEntry: class {
        getPassword() {
          return new Promise<string | null>((resolve) => {
            finish = resolve
          })
        }
      },
      findCredentialsAsync: async () => [],
    } as unknown as KeyringBinding
    const store = new KeychainStore({
      backend: 'secret-service',
      platform: 'linux',
      timeoutMs: 30,
      loadBinding: async () => binding,
    })
    const before = keychainCallsPending()
    await assert.rejects(store.get('caktus'), (err: StoreError) => err.reason === 'timeout')
    assert.equal(keychainCallsPending(), before + 1)
    finish(null)
    await new Promise((r) => setImmediate(r))
    assert.equal(keychainCallsPending(), before)
  })

  it('maps native failures, including a throwing constructor', async () => {
    const locked = storeWith(
      fakeBinding({ fail: "Couldn't access platform storage: Secret Service: unlock prompt was dismissed" }),
    )
    await assert.rejects(locked.store.get('k'), { reason: 'locked' })
    const noBus = storeWith(
      fakeBinding({ ctorFail: 'Platform failure: DBus error: Failed to connect to socket /x: No such file' }),
    )
    await assert.rejects(noBus.store.set({ key: 'k', data: 'd' }), { reason: 'unavailable' })
  })

  it('a module that cannot load is "unavailable"', async () => {
    const store = new KeychainStore({
      backend: 'secret-service',
      platform: 'linux',
      loadBinding: () => Promise.reject(new Error('no prebuilt binary')),
    })
    await assert.rejects(store.keys(), {
      reason: 'unavailable',
      message: /cannot load the keychain module: no prebuilt binary/,
    })
  })

  it('refuses an item over Windows Credential Manager’s 2560-byte cap before calling it', async () => {
    const fake = fakeBinding()
    const { store } = storeWith(fake, { platform: 'win32' })
    // keyring-rs stores the password as UTF-16: 1280 characters fill the blob.
    await store.set({ key: 'ok', data: 'x'.repeat(WINCRED_MAX_BLOB_BYTES / 2) })
    await assert.rejects(
      store.set({ key: 'big', data: 'x'.repeat(WINCRED_MAX_BLOB_BYTES / 2 + 1) }),
      (err: StoreError) => {
        assert.equal(err.reason, 'too-large')
        assert.match(err.message, /"big": it is 2562 bytes and Windows Credential Manager holds at most 2560/)
        assert.ok(!err.message.includes('xxxx'))
        return true
      },
    )
    assert.equal(fake.passwords.has('big'), false)
    // Other platforms have no such cap.
    await storeWith(fakeBinding(), { platform: 'linux' }).store.set({ key: 'big', data: 'x'.repeat(5000) })
  })
})

describe('keychain error classification', () => {
  const table: Array<[string, StoreError['reason']]> = [
    [
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
      'unavailable',
    ],
    [
      'zbus error: Failed to connect to address `unix:path=/run/user/0/bus`: No such file or directory (os error 2)',
      'unavailable',
    ],
    [
      'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
      'unavailable',
    ],
    ["Couldn't access platform storage: Secret Service: no result found", 'unavailable'],
    ["Couldn't access platform storage: Secret Service: unlock prompt was dismissed", 'locked'],
    ['zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object', 'locked'],
    ['Platform failure: DBus error: Did not receive a reply. Possible causes include: ...', 'timeout'],
    ["Couldn't access platform storage: User interaction is not allowed.", 'locked'],
    ["Couldn't access platform storage: The user name or passphrase you entered is not correct.", 'denied'],
    ['Platform failure: Access is denied. (os error 5)', 'denied'],
    ['Entry is matched by 2 credentials: ...', 'corrupt'],
    ['Attribute password is longer than platform limit of 2560 chars', 'too-large'],
    ['something nobody has seen', 'unavailable'],
  ]
  for (const [message, reason] of table) {
    it(`${reason}: ${message.slice(0, 60)}`, () => assert.equal(keychainErrorReason(message), reason))
  }

  it('names the backend and the action, keeps the native detail, and trims D-Bus boilerplate', () => {
    const err = keychainError(
      new Error('Platform failure: DBus error: Did not receive a reply. Possible causes include: x'),
      'secret-service',
      'listing items',
    )
    assert.equal(
      err.message,
      'listing items: the Secret Service keyring did not answer (DBus error: Did not receive a reply)',
    )
    assert.equal(err.exitCode, 69)
  })
})

// The D-Bus answers gnome-keyring gives for an item deleted under a call (issue 15: `vault clear`
// racing `vault export`), as @napi-rs/keyring words them.
const NO_ITEM_INTERFACE =
  'Platform failure: zbus error: org.freedesktop.DBus.Error.UnknownMethod: No such interface “org.freedesktop.Secret.Item” on object at path /org/freedesktop/secrets/collection/login/272'
const NO_OBJECT =
  'Platform failure: zbus error: org.freedesktop.DBus.Error.UnknownObject: Object does not exist at path “/org/freedesktop/secrets/collection/login/272”'
// Issue 28: GLib's answer to a Properties call on an object unregistered meanwhile
// (gio/gdbusconnection.c, has_object_been_unregistered), seen in concurrent writes.
const NO_PROPERTIES_INTERFACE =
  'Platform failure: zbus error: org.freedesktop.DBus.Error.UnknownMethod: No such interface “org.freedesktop.DBus.Properties” on object at path /org/freedesktop/secrets/collection/login/272'
// Issue 28: gnome-keyring's own lookup of an item path (daemon/dbus/gkd-secret-objects.c,
// secret_objects_lookup_gck_object_for_path).
const NO_SUCH_OBJECT =
  "Platform failure: zbus error: org.freedesktop.Secret.Error.NoSuchObject: The '/org/freedesktop/secrets/collection/login/272' object does not exist"

/** A binding whose calls fail with `message` the first `times` times, then work. */
function flakyBinding(message: string, times: number) {
  return fakeBinding({ fail: message, failTimes: times })
}

describe('KeychainStore: an item deleted under a call is not an unavailable keyring (issue 15)', () => {
  for (const [tag, message] of [
    ['No such interface Secret.Item', NO_ITEM_INTERFACE],
    ['Object does not exist', NO_OBJECT],
    ['No such interface DBus.Properties (issue 28)', NO_PROPERTIES_INTERFACE],
    ['gnome-keyring NoSuchObject (issue 28)', NO_SUCH_OBJECT],
  ]) {
    it(`${tag}: a read is a miss and a delete is "nothing removed"`, async () => {
      const fake = flakyBinding(message, 2)
      fake.passwords.set('caktus', '{}')
      const { store } = storeWith(fake)
      assert.equal(await store.get('caktus'), null)
      assert.equal(await store.remove('caktus'), false)
      assert.equal(isVanishedItem(new Error(message)), true)
    })

    it(`${tag}: a listing is tried again, a bounded number of times`, async () => {
      const fake = flakyBinding(message, VANISHED_ATTEMPTS - 1)
      fake.passwords.set('a', '1')
      const { store } = storeWith(fake)
      assert.deepEqual(await store.keys(), ['a'])
      const always = storeWith(flakyBinding(message, 100)).store
      await assert.rejects(always.entries(), (err: StoreError) => {
        assert.equal(err.reason, 'busy')
        assert.match(err.message, /^listing items: items of the Secret Service keyring kept vanishing/)
        assert.doesNotMatch(`${err.message} ${err.hint}`, /not available|start a Secret Service/)
        return true
      })
    })
  }

  it('a write that meets a deleted item is tried again', async () => {
    const fake = flakyBinding(NO_OBJECT, 1)
    const { store } = storeWith(fake)
    await store.set({ key: 'k', data: 'd' })
    assert.equal(fake.passwords.get('k'), 'd')
  })

  it('a vanished collection (no item in the path), a dead or a locked service are not misses', async () => {
    const collection = 'Object does not exist at path “/org/freedesktop/secrets/collection/login”'
    assert.equal(isVanishedItem(new Error(collection)), false)
    for (const other of [
      'No such interface “org.freedesktop.DBus.Properties” on object at path /org/freedesktop/secrets/collection/login',
      "The '/org/freedesktop/secrets/collection/login' object does not exist",
      'No such interface “org.freedesktop.DBus.Properties” on object at path /org/freedesktop/secrets',
      'The collection does not exist',
    ]) {
      assert.equal(isVanishedItem(new Error(other)), false, other)
    }
    await assert.rejects(storeWith(flakyBinding(collection, 1)).store.get('k'), { reason: 'unavailable' })
    const locked = 'zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object'
    await assert.rejects(storeWith(flakyBinding(locked, 1)).store.get('k'), { reason: 'locked' })
    const dead = 'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files'
    await assert.rejects(storeWith(flakyBinding(dead, 1)).store.keys(), { reason: 'unavailable' })
  })
})
