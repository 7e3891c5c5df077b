import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { probeSessionBus } from '../../src/dbus/probe.js'

describe('probeSessionBus against a Unix socket', () => {
  let dir: string
  const servers: Server[] = []
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-probe-'))
  })
  after(async () => {
    for (const s of servers) s.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function serve(name: string, onSocket: (s: Socket) => void): Promise<string> {
    const path = join(dir, name)
    const server = createServer(onSocket)
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(path, resolve))
    return path
  }

  it('sends the NUL byte and AUTH EXTERNAL with the hex of the decimal uid; any answer line is life', async () => {
    let request = ''
    const address = await serve('answers', (s) => {
      s.on('data', (d) => {
        request += d.toString('latin1')
        if (request.endsWith('\r\n')) s.write('REJECTED EXTERNAL\r\n')
      })
    })
    assert.equal(await probeSessionBus(address, 2000, 1000), 'answered')
    assert.equal(request, '\0AUTH EXTERNAL 31303030\r\n')
  })

  it('a bus that accepts and never answers is silent once the deadline passes', async () => {
    const address = await serve('silent', () => {})
    const started = Date.now()
    assert.equal(await probeSessionBus(address, 200), 'silent')
    const ms = Date.now() - started
    assert.ok(ms >= 190 && ms < 2000, `took ${ms} ms`)
  })

  it('no socket, or a bus that hangs up, is skipped: the native module reports its own error', async () => {
    assert.equal(await probeSessionBus(join(dir, 'none'), 2000), 'skipped')
    const address = await serve('hangs-up', (s) => s.destroy())
    assert.equal(await probeSessionBus(address, 2000), 'skipped')
    assert.equal(await probeSessionBus(undefined, 2000), 'skipped')
  })
})
