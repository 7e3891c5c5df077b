import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { json, listenOnLoopback } from '../../src/server/http.js'
import { findOwner, ownerOnly } from '../../src/server/peer-uid.js'
import { memoryLogger } from '../fakes/fakes.js'
import { send } from './helpers.js'

// Rows in the kernel's format (Documentation/networking/proc_net_tcp.rst): a server on
// 127.0.0.1:40027 (0x9C5B), a client of uid 1000 on port 51000 (0xC738), and an IPv6 socket of
// uid 1001 reaching it as ::ffff:127.0.0.1 from port 51001 (0xC739).
const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:9C5B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 120547 1 0000000000000000 100 0 0 10 0
   1: 0100007F:9C5B 0100007F:C738 01 00000000:00000000 00:00000000 00000000     0        0 120601 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:C738 0100007F:9C5B 01 00000000:00000000 00:00000000 00000000  1000        0 120600 1 0000000000000000 20 4 30 10 -1
`
const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:C739 0000000000000000FFFF00000100007F:9C5B 01 00000000:00000000 00:00000000 00000000  1001        0 120700 1 0000000000000000 20 4 30 10 -1
`

describe('credential servers serve only their owner (issue 15)', () => {
  it('finds the uid on the client end of the connection, not the server end', () => {
    assert.equal(findOwner(tcp, '127.0.0.1:51000', '127.0.0.1:40027', 'LE'), 1000)
    assert.equal(findOwner(tcp, '127.0.0.1:40027', '127.0.0.1:51000', 'LE'), 0, 'that row is the server side')
    assert.equal(findOwner(tcp, '127.0.0.1:51999', '127.0.0.1:40027', 'LE'), undefined)
    assert.equal(findOwner(tcp6, '127.0.0.1:51001', '127.0.0.1:40027', 'LE'), 1001)
  })

  it('refuses another uid and a connection it cannot place; serves the owner', async () => {
    const tables: Record<string, string> = { '/proc/net/tcp': tcp, '/proc/net/tcp6': tcp6 }
    const read = async (path: string) => tables[path] ?? ''
    const c = { localAddress: '127.0.0.1', localPort: 40027, remoteAddress: '127.0.0.1' }
    assert.equal(await ownerOnly(1000, 'linux', read)({ ...c, remotePort: 51000 }), undefined)
    assert.equal(
      await ownerOnly(0, 'linux', read)({ ...c, remotePort: 51000 }),
      'this credential server serves only the user who started it (uid 0), not uid 1000',
    )
    assert.equal(
      await ownerOnly(1000, 'linux', read)({ ...c, remoteAddress: '::ffff:127.0.0.1', remotePort: 51001 }),
      'this credential server serves only the user who started it (uid 1000), not uid 1001',
    )
    assert.match((await ownerOnly(1000, 'linux', read)({ ...c, remotePort: 1 })) ?? '', /could not tell which user/)
    assert.equal(await ownerOnly(1000, 'darwin', read)({ ...c, remotePort: 1 }), undefined, 'no table elsewhere')
  })

  it('over a real socket, the kernel names this process uid: served; told it is someone else: 403 and a warning', async () => {
    const uid = process.getuid?.() as number
    const warnings: string[] = []
    const base = { name: 'ecs server', log: memoryLogger(), warn: (m: string) => warnings.push(m) }
    const owner = await listenOnLoopback(() => json(200, { ok: true }), base)
    const stranger = await listenOnLoopback(() => json(200, { ok: true }), { ...base, peer: ownerOnly(uid + 1) })
    try {
      const served = await send(owner.url, { headers: { Host: `127.0.0.1:${owner.port}` } })
      assert.equal(served.status, 200, served.body)
      const refused = await send(stranger.url, { headers: { Host: `127.0.0.1:${stranger.port}` } })
      assert.equal(refused.status, 403)
      assert.deepEqual(JSON.parse(refused.body), {
        Message: `this credential server serves only the user who started it (uid ${uid + 1}), not uid ${uid}`,
      })
      assert.deepEqual(warnings, [
        `ecs server: refused GET /: this credential server serves only the user who started it (uid ${uid + 1}), not uid ${uid}`,
      ])
    } finally {
      await owner.close()
      await stranger.close()
    }
  })
})
