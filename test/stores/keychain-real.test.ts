import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { tsNode } from '../loader/run-ts.mjs'
import { PrivateKeyring } from './gnome-keyring.js'
import type { OpResult } from './keychain-driver.js'

const DRIVER = fileURLToPath(new URL('./keychain-driver.ts', import.meta.url))

type Op = { op: string; key?: string; data?: string }

/** Run store operations in a child with `env`; resolves to one result per op and the wall time. */
async function run(
  env: NodeJS.ProcessEnv,
  ops: Op[],
  timeoutMs?: number,
  direct = false,
): Promise<{ results: OpResult[]; ms: number }> {
  const started = Date.now()
  const child = spawn(process.execPath, [...tsNode, DRIVER], { env, stdio: ['pipe', 'pipe', 'inherit'] })
  child.stdin.on('error', () => {}) // a driver that died early is reported by its output, not an EPIPE
  child.stdin.end(JSON.stringify({ ops, timeoutMs, direct }))
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  await new Promise((resolve) => child.once('close', resolve))
  return { results: JSON.parse(out) as OpResult[], ms: Date.now() - started }
}

/** How long the keychain calls themselves took, as the driver timed them. */
const callsMs = (results: OpResult[]) => results.reduce((sum, r) => sum + r.ms, 0)

describe('KeychainStore against a real gnome-keyring', () => {
  const keyring = new PrivateKeyring()
  before(async () => {
    await keyring.startBus()
    await keyring.startKeyring('right-password')
  })
  after(() => keyring.close())

  it('stores data as the password of service aws-vault, account = key, and reads it back', async () => {
    const data = '{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"s3cret"}'
    const { results } = await run(keyring.env, [
      { op: 'set', key: 'caktus', data },
      { op: 'set', key: 'sts.GetSessionToken,Y2FrdHVz,,1700000000', data: '{"x":1}' },
      { op: 'get', key: 'caktus' },
      { op: 'get', key: 'nobody' },
      { op: 'keys' },
    ])
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true, true, true],
      JSON.stringify(results),
    )
    assert.deepEqual(results[2].value, { key: 'caktus', data })
    assert.equal(results[3].value, null)
    assert.deepEqual(results[4].value, ['caktus', 'sts.GetSessionToken,Y2FrdHVz,,1700000000'])
    const lookup = keyring.secretTool('lookup', 'service', 'aws-vault', 'username', 'caktus')
    assert.equal(lookup.status, 0, lookup.stderr)
    assert.equal(lookup.stdout, data)
  })

  it('lists every item with its data in one call, and removes items', async () => {
    const { results } = await run(keyring.env, [
      { op: 'entries' },
      { op: 'remove', key: 'caktus' },
      { op: 'remove', key: 'caktus' },
      { op: 'get', key: 'caktus' },
    ])
    const entries = results[0].value as Array<{ key: string; data: string }>
    assert.deepEqual(entries.find((e) => e.key === 'sts.GetSessionToken,Y2FrdHVz,,1700000000')?.data, '{"x":1}')
    assert.deepEqual(
      results.slice(1).map((r) => r.value),
      [true, false, null],
    )
    assert.notEqual(keyring.secretTool('lookup', 'service', 'aws-vault', 'username', 'caktus').status, 0)
  })

  it('a keyring started with a wrong password is "locked", quickly, and distinct from not found', async () => {
    await run(keyring.env, [{ op: 'set', key: 'saguaro', data: '{"a":1}' }])
    await keyring.stopKeyring()
    await keyring.startKeyring('wrong-password')
    try {
      const { results, ms } = await run(keyring.env, [
        { op: 'get', key: 'saguaro' },
        { op: 'get', key: 'absent' },
        { op: 'keys' },
        { op: 'set', key: 'x', data: 'y' },
      ])
      assert.equal(results[0].reason, 'locked', JSON.stringify(results[0]))
      assert.match(results[0].message ?? '', /Secret Service keyring is locked/)
      assert.match(results[0].hint ?? '', /--backend file/)
      // An absent item needs no unlock: gnome-keyring answers the search without a prompt.
      assert.equal(results[1].ok, true, JSON.stringify(results[1]))
      assert.equal(results[1].value, null)
      assert.equal(results[2].reason, 'locked', JSON.stringify(results[2]))
      assert.equal(results[3].reason, 'locked', JSON.stringify(results[3]))
      // The calls' own time: the process's (loading and compiling the driver) grows with the machine's load.
      assert.ok(callsMs(results) < 5000, `took ${callsMs(results)}ms (${ms}ms with process start)`)
    } finally {
      await keyring.stopKeyring()
      await keyring.startKeyring('right-password')
    }
  })

  it('a hung keyring daemon gives a "timeout" error instead of hanging', async () => {
    keyring.freezeKeyring(true)
    try {
      const { results, ms } = await run(keyring.env, [{ op: 'keys' }, { op: 'get', key: 'saguaro' }], 1500)
      assert.deepEqual(
        results.map((r) => r.reason),
        ['timeout', 'timeout'],
        JSON.stringify(results),
      )
      assert.ok(ms < 10_000, `took ${ms}ms`)
    } finally {
      keyring.freezeKeyring(false)
    }
  })
})

describe("a cache hit's read over vault's own D-Bus client, against a real gnome-keyring", () => {
  const keyring = new PrivateKeyring()
  before(async () => {
    await keyring.startBus()
    await keyring.startKeyring('right-password')
  })
  after(() => keyring.close())

  it('reads back exactly what the native module stored (libsecret agrees), and null for no item', async () => {
    const items = {
      caktus: '{"AccessKeyID":"AKIAEXAMPLE","SecretAccessKey":"s3cret"}',
      'sts.AssumeRole,cm9sZQ,,1796339268': `{"SessionToken":"${'t'.repeat(3000)}"}`,
      unicode: 'ünïcødé ✓ "quoted" \\ back',
    }
    const { results } = await run(keyring.env, [
      ...Object.entries(items).map(([key, data]) => ({ op: 'set', key, data })),
      ...Object.keys(items).map((key) => ({ op: 'direct', key })),
      { op: 'direct', key: 'nobody' },
    ])
    assert.ok(
      results.every((r) => r.ok),
      JSON.stringify(results),
    )
    assert.deepEqual(
      results.slice(3).map((r) => r.value),
      [...Object.values(items), null],
    )
    for (const [key, data] of Object.entries(items)) {
      const lookup = keyring.secretTool('lookup', 'service', 'aws-vault', 'username', key)
      assert.equal(lookup.stdout, data, `secret-tool lookup ${key}`)
    }
  })

  it('a locked item is left to the native module, which owns the unlock prompt', async () => {
    await run(keyring.env, [{ op: 'set', key: 'saguaro', data: '{"a":1}' }])
    await keyring.stopKeyring()
    await keyring.startKeyring('wrong-password')
    try {
      const { results } = await run(
        keyring.env,
        [
          { op: 'direct', key: 'saguaro' },
          { op: 'get', key: 'saguaro' },
        ],
        5000,
        true,
      )
      assert.equal(results[0].value, 'native', JSON.stringify(results[0]))
      assert.equal(results[1].reason, 'locked', JSON.stringify(results[1]))
    } finally {
      await keyring.stopKeyring()
      await keyring.startKeyring('right-password')
    }
  })

  it('a hung keyring daemon is a "timeout" within the deadline, with no native call', async () => {
    await run(keyring.env, [{ op: 'set', key: 'saguaro', data: '{"a":1}' }])
    keyring.freezeKeyring(true)
    try {
      const { results } = await run(keyring.env, [{ op: 'get', key: 'saguaro' }], 1500, true)
      assert.equal(results[0].reason, 'timeout', JSON.stringify(results[0]))
      assert.match(results[0].message ?? '', /did not answer within 1.5s/)
      assert.ok(results[0].ms < 4000, `took ${results[0].ms}ms`)
    } finally {
      keyring.freezeKeyring(false)
    }
  })
})

describe('KeychainStore without a Secret Service', () => {
  const bus = new PrivateKeyring()
  before(() => bus.startBus())
  after(() => bus.close())

  it('no D-Bus session at all is "unavailable", quickly, with a hint to use the file backend', async () => {
    const { DBUS_SESSION_BUS_ADDRESS: _, ...env } = bus.env
    const { results, ms } = await run(env, [{ op: 'get', key: 'caktus' }, { op: 'keys' }])
    for (const r of results) {
      assert.equal(r.reason, 'unavailable', JSON.stringify(r))
      assert.match(r.hint ?? '', /--backend file/)
    }
    assert.match(results[0].message ?? '', /Secret Service keyring is not available/)
    // The calls' own time: the process's (loading and compiling the driver) grows with the machine's load.
    assert.ok(callsMs(results) < 5000, `took ${callsMs(results)}ms (${ms}ms with process start)`)
  })

  it('a D-Bus session with no keyring daemon is "unavailable"', async () => {
    const { results } = await run(bus.env, [
      { op: 'get', key: 'caktus' },
      { op: 'keys' },
      { op: 'set', key: 'k', data: 'd' },
    ])
    for (const r of results) {
      assert.equal(r.reason, 'unavailable', JSON.stringify(r))
      assert.match(r.message ?? '', /org\.freedesktop\.secrets/)
    }
  })

  it("with no Secret Service on the bus, a cache hit's read hands over to the native module and its words", async () => {
    const { results } = await run(
      bus.env,
      [
        { op: 'direct', key: 'caktus' },
        { op: 'get', key: 'caktus' },
      ],
      5000,
      true,
    )
    assert.equal(results[0].value, 'native', JSON.stringify(results[0]))
    assert.equal(results[1].reason, 'unavailable', JSON.stringify(results[1]))
    assert.match(results[1].message ?? '', /org\.freedesktop\.secrets/)
  })
})
