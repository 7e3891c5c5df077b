/**
 * Issue 28: a session bus that answers with something that is no D-Bus message. A reply with a
 * bad byte-order mark threw inside vault's D-Bus client, outside its error path: the fast path
 * exited 1 after 10 KB of stack trace (a minified bundle line among it), the full CLI crashed the
 * same way. Now every run ends in one `vault: …` line naming the bus, exit 69, on both paths, and
 * nothing is stored.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { freshHome, type Home, type RunResult, testKeys, useServices, vault } from './harness.js'

/** A method return whose byte-order mark is 'A' (0x41): neither 'l' nor 'B'. */
const BAD_BYTE_ORDER = Buffer.from('410200010000000001000000080000000501750001000000', 'hex')

/** A bus that authenticates anyone, then answers every message with BAD_BYTE_ORDER. */
function garblingBus(socket: Socket): void {
  let begun = false
  socket.on('error', () => {})
  socket.on('data', (chunk) => {
    if (!begun && chunk.includes('AUTH')) socket.write('OK 0123456789abcdef0123456789abcdef\r\n')
    if (!begun && !chunk.includes('BEGIN\r\n')) return
    const rest = begun ? chunk : chunk.subarray(chunk.indexOf('BEGIN\r\n') + 7)
    begun = true
    if (rest.length) socket.write(BAD_BYTE_ORDER)
  })
}

function assertOneLine(r: RunResult, what: string) {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}; stderr: ${r.stderr}`)
  assert.equal(r.code, 69, `${what}: exit ${r.code}; stderr: ${r.stderr}`)
  assert.equal(r.stdout, '', `${what}: stdout`)
  const lines = r.stderr.split('\n').filter(Boolean)
  assert.equal(lines.length, 1, `${what}: one line expected, got: ${r.stderr}`)
  assert.match(
    lines[0],
    // add names the profile it could not store (the gate's wording), the others the item they read.
    /^vault: (reading "[^"]+"|cannot store the keys of profile "[^"]+"): the Secret Service keyring is not available \(its D-Bus session bus sent an unreadable message: bad D-Bus byte order mark 0x41\); check that DBUS_SESSION_BUS_ADDRESS names the session's dbus-daemon, or use --backend file$/,
    what,
  )
}

describe('a session bus that sends garbage (issue 28)', () => {
  const services = useServices()
  let home: Home
  let bus: Server
  let garbled: Record<string, string>
  before(async () => {
    home = await freshHome(services(), '[profile caktus]\nregion = us-east-1\n\n[profile other]\nregion = us-east-1\n')
    // A cached session, so that export is a cache hit the fast path serves.
    const warm = await vault(['export', '--format', 'json', 'caktus'], { env: home.env })
    assert.equal(warm.code, 0, warm.stderr)
    const path = join(home.dir, 'garbling-bus')
    bus = createServer(garblingBus)
    await new Promise<void>((resolve) => bus.listen(path, resolve))
    // The Secret Service backend by name: the garbled bus must not make vault pick another.
    garbled = { ...home.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path}`, AWS_VAULT_BACKEND: 'secret-service' }
  })
  after(async () => {
    await new Promise((resolve) => bus?.close(resolve))
    await home?.cleanup()
  })

  for (const [path, extra] of [
    ['fast', {}],
    ['full', { VAULT_FAST_PATH: '0' }],
  ] as const) {
    it(`export on the ${path} path: one line, exit 69`, async () => {
      const pathLog = join(home.dir, `path-${path}.log`)
      const r = await vault(['export', '--format', 'json', 'caktus'], {
        env: { ...garbled, ...extra, VAULT_PATH_LOG: pathLog },
        timeoutMs: 30_000,
      })
      assertOneLine(r, `${path} path`)
      assert.equal((await readFile(pathLog, 'utf8')).trim(), path, 'the path that served the run')
    })
  }

  it('exec and add end the same way, and add stores nothing', async () => {
    const exec = await vault(['exec', 'caktus', '--', 'true'], { env: garbled, timeoutMs: 30_000 })
    assertOneLine(exec, 'exec')
    const add = await vault(['add', 'other', '--env'], { env: { ...garbled, ...testKeys }, timeoutMs: 30_000 })
    assertOneLine(add, 'add')
    const list = await vault(['list', '--credentials'], { env: home.env })
    assert.equal(list.code, 0, list.stderr)
    assert.deepEqual(list.stdout.split('\n').filter(Boolean), ['caktus'])
  })
})
