/**
 * vault's own Secret Service calls (src/stores/secret-service-direct.ts) against a real
 * gnome-keyring, with the native module they stand in for as the oracle: @napi-rs/keyring
 * (keyring-rs) must find, read, change and delete what they write, and they what it writes, and an
 * item they make must be the item keyring-rs makes, property for property.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { sessionBusPath } from '../../src/dbus/address.js'
import { DBusConnection } from '../../src/dbus/connection.js'
import type { DBusValue, Variant } from '../../src/dbus/marshal.js'
import { DBus, SECRETS_BUS_NAME, SECRETS_ROOT, SecretInterface } from '../../src/dbus/secret-service-names.js'
import { KeychainStore } from '../../src/stores/keychain-store.js'
import { type DirectCalls, secretServiceCalls } from '../../src/stores/secret-service-direct.js'
import { PrivateKeyring } from './gnome-keyring.js'

const SERVICE = 'aws-vault'
const MS = 10_000
type Binding = typeof import('@napi-rs/keyring')

describe("vault's own Secret Service calls, with keyring-rs (@napi-rs/keyring) as the oracle", () => {
  const keyring = new PrivateKeyring()
  let direct: DirectCalls
  let native: Binding
  let bus: DBusConnection
  const entry = (key: string) => new native.AsyncEntry(SERVICE, key, { linux: { store: 'secret-service' } })
  const call = (path: string, iface: string, member: string, signature?: string, body?: DBusValue[]) =>
    bus.call({ destination: SECRETS_BUS_NAME, path, interface: iface, member, signature, body })
  const search = async (key: string) =>
    (
      (await call(SECRETS_ROOT, SecretInterface.service, 'SearchItems', 'a{ss}', [
        [
          ['service', SERVICE],
          ['username', key],
        ],
      ])) as [string[], string[]]
    )[0]
  /**
   * An item's properties as the service reports them, attributes sorted, but for what gnome-keyring
   * decides itself: its times, and the schema (`Type`, and the `xdg:schema` attribute) that it
   * gives an item or not depending on when it last reread its keyring file (seen both ways for
   * items of either client, created one after the other).
   */
  const properties = async (path: string) => {
    const [all] = (await call(path, DBus.properties, 'GetAll', 's', [SecretInterface.item])) as [
      Array<[string, Variant]>,
    ]
    const own = (name: string) => !['Created', 'Modified', 'Type'].includes(name)
    return Object.fromEntries(
      all
        .filter(([name]) => own(name))
        .map(([name, v]) => [
          name,
          name === 'Attributes' ? (v.value as string[][]).filter(([a]) => a !== 'xdg:schema').sort() : v.value,
        ]),
    )
  }
  /** What a client sent in `run`: each CreateItem call, as dbus-monitor prints it, its secret's bytes masked. */
  const createItemCalls = async (run: () => Promise<unknown>) => {
    const monitor = spawn('dbus-monitor', ['--address', keyring.address, "type='method_call',member='CreateItem'"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    let out = ''
    monitor.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    try {
      // dbus-monitor prints the NameAcquired signal once it is listening.
      for (let i = 0; i < 500 && !out.includes('NameAcquired'); i++) await sleep(20)
      await run()
      // A round trip after the call: dbus-monitor has been sent the call before this answer.
      await call(SECRETS_ROOT, DBus.properties, 'Get', 'ss', [SecretInterface.service, 'Collections'])
      await sleep(200)
    } finally {
      monitor.kill()
    }
    return out
      .split(/^(?=method call)/m)
      .filter((block) => block.startsWith('method call'))
      .map((block) =>
        block
          .replace(/^method call .*$/m, 'method call')
          .replace(/session\/s\d+/, 'session/S')
          // The secret's parameters and value: empty and plain in a plain session, an IV and
          // ciphertext in keyring-rs's encrypted one.
          .replace(/array of bytes \[[^\]]*\]|array \[\s*\]/g, 'BYTES')
          // keyring-rs sends its dictionaries in a Rust HashMap's order, which changes from run to
          // run: the lines are compared as a sorted list.
          .split('\n')
          .map((line) => line.trim())
          .sort()
          .join('\n'),
      )
  }

  before(async () => {
    await keyring.startBus()
    await keyring.startKeyring('right-password')
    // The native module finds the bus in this process's environment; this file has a process of its own.
    Object.assign(process.env, keyring.env)
    native = createRequire(import.meta.url)('@napi-rs/keyring') as Binding
    direct = secretServiceCalls(keyring.env)
    bus = await DBusConnection.open(sessionBusPath(keyring.env) as string, MS)
  })
  after(async () => {
    bus?.close()
    await keyring.close()
  })

  it('an item written directly is the item keyring-rs writes: the same CreateItem call, attributes, label, collection, secret', async () => {
    const data = '{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"s3cret/+=","é":"ü"}'
    const nativeCall = await createItemCalls(() => entry('by-native').setPassword(data))
    let written: unknown
    const directCall = await createItemCalls(async () => {
      written = await direct.write(SERVICE, 'by-direct', data, MS)
    })
    assert.equal(written, 'written')
    // The calls on the bus: the same properties, secret structure, content type and replace flag.
    assert.equal(nativeCall.length, 1, nativeCall.join('\n'))
    assert.deepEqual(
      directCall.map((c) => c.replaceAll('by-direct', 'KEY')),
      nativeCall.map((c) => c.replaceAll('by-native', 'KEY')),
    )
    const [nativeItem] = await search('by-native')
    const [directItem] = await search('by-direct')
    assert.match(directItem, /^\/org\/freedesktop\/secrets\/collection\/login\/\d+$/)
    assert.equal(directItem.replace(/\d+$/, ''), nativeItem.replace(/\d+$/, ''), 'the same collection')
    const swap = (p: Record<string, unknown>) => JSON.parse(JSON.stringify(p).replaceAll('by-native', 'by-direct'))
    assert.deepEqual(await properties(directItem), swap(await properties(nativeItem)))
    assert.equal(await entry('by-direct').getPassword(), data)
    assert.equal(await direct.read(SERVICE, 'by-native', MS), data)
    assert.equal(keyring.secretTool('lookup', 'service', SERVICE, 'username', 'by-direct').stdout, data)
  })

  it("a write changes the one item there is, whoever made it: keyring-rs's SetSecret, never a second item", async () => {
    await entry('changed').setPassword('first')
    const [item] = await search('changed')
    assert.equal(await direct.write(SERVICE, 'changed', 'second', MS), 'written')
    assert.deepEqual(await search('changed'), [item])
    assert.equal(await entry('changed').getPassword(), 'second')
    await entry('changed').setPassword('third')
    assert.deepEqual(await search('changed'), [item])
    assert.equal(await direct.read(SERVICE, 'changed', MS), 'third')
    // Eight writers at once, where there was no item: CreateItem with replace leaves one.
    await Promise.all(Array.from({ length: 8 }, (_, i) => direct.write(SERVICE, 'raced', `w${i}`, MS)))
    assert.equal((await search('raced')).length, 1)
    assert.match((await entry('raced').getPassword()) ?? '', /^w[0-7]$/)
  })

  it('a removal deletes the item, whoever made it, and says whether there was one, as keyring-rs does', async () => {
    await entry('gone-native').setPassword('x')
    await direct.write(SERVICE, 'gone-direct', 'y', MS)
    assert.equal(await direct.remove(SERVICE, 'gone-native', MS), true)
    assert.equal(await direct.remove(SERVICE, 'gone-native', MS), false)
    assert.equal(await entry('gone-native').getPassword(), null)
    assert.equal(await entry('gone-direct').deleteCredential(), true)
    assert.equal(await entry('gone-direct').deleteCredential(), false)
    assert.equal(await direct.read(SERVICE, 'gone-direct', MS), null)
    assert.deepEqual(await search('gone-native'), [])
  })

  it("a listing is keyring-rs's findCredentials: every item of the service, with its key and secret", async () => {
    const listed = await direct.list(SERVICE, MS)
    assert.notEqual(listed, 'native')
    const found = await native.findCredentialsAsync(SERVICE, null)
    const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key)
    assert.deepEqual(
      (listed as Array<{ key: string; data: string }>).sort(byKey),
      found.map((c) => ({ key: c.account, data: c.password })).sort(byKey),
    )
    assert.ok(found.length >= 4, JSON.stringify(found))
    assert.deepEqual(await direct.list('no-such-service', MS), [])
  })

  it('a store on these calls starts no native module while the collection is unlocked', async () => {
    const store = new KeychainStore({
      backend: 'secret-service',
      platform: 'linux',
      timeoutMs: MS,
      direct,
      loadBinding: () => Promise.reject(new Error('the native module was asked')),
    })
    await store.set({ key: 'store-item', data: 'one' })
    assert.deepEqual(await store.get('store-item'), { key: 'store-item', data: 'one' })
    assert.ok((await store.keys()).includes('store-item'))
    assert.equal(await store.remove('store-item'), true)
    assert.equal(await store.get('store-item'), null)
  })

  it("a locked collection is the native module's: each call says 'native' and changes nothing", async () => {
    await direct.write(SERVICE, 'behind-lock', 'kept', MS)
    const [collection] = await call(SECRETS_ROOT, SecretInterface.service, 'ReadAlias', 's', ['default'])
    await call(SECRETS_ROOT, SecretInterface.service, 'Lock', 'ao', [[String(collection)]])
    try {
      assert.equal(await direct.write(SERVICE, 'behind-lock', 'changed', MS), 'native')
      assert.equal(await direct.write(SERVICE, 'new-behind-lock', 'new', MS), 'native')
      assert.equal(await direct.remove(SERVICE, 'behind-lock', MS), 'native')
      assert.equal(await direct.list(SERVICE, MS), 'native')
      assert.equal(await direct.read(SERVICE, 'behind-lock', MS), 'native')
    } finally {
      // The login keyring unlocks with its password, as gnome-keyring-daemon --unlock did.
      await keyring.stopKeyring()
      await keyring.startKeyring('right-password')
    }
    assert.equal(await direct.read(SERVICE, 'behind-lock', MS), 'kept')
    assert.equal(await direct.read(SERVICE, 'new-behind-lock', MS), null)
  })
})
