import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { converse, type Turn, usableSocket } from '../../src/agent/conversation.js'
import type { Message } from '../../src/agent/wire.js'

/** An agent stand-in on a Unix socket: `script` decides what it does with each connection. */
async function agent(path: string, script: (socket: Socket, request: Message) => void): Promise<Server> {
  const server = createServer((socket) => {
    socket.setEncoding('utf8')
    let buffered = ''
    const first = (chunk: string) => {
      buffered += chunk
      const nl = buffered.indexOf('\n')
      if (nl < 0) return
      socket.off('data', first)
      script(socket, JSON.parse(buffered.slice(0, nl)) as Message)
    }
    socket.on('data', first)
  })
  await new Promise<void>((resolve) => server.listen(path, resolve))
  return server
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()))

/** The line handler both clients share the shape of: `ok` finishes, `wait` re-arms. */
function onLine(m: Message, turn: Turn<string>) {
  if (m.wait) return turn.arm(200)
  if (m.ask) return void turn.send({ answer: 'ok' })
  turn.finish(`ok:${JSON.stringify(m.ok)}`)
}

describe('agent conversation: one request, one settlement (shared by both clients)', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-conversation-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('sends the request and resolves to what the handler finishes with; the handler may answer', async () => {
    const path = join(dir, 'ok.sock')
    const heard: Message[] = []
    const server = await agent(path, (socket, request) => {
      heard.push(request)
      socket.write('{"wait":true}\n{"ask":{"need":"mfa"}}\n')
      socket.once('data', (answer) => {
        heard.push(JSON.parse(String(answer)) as Message)
        socket.write('{"ok":1}\n')
      })
    })
    try {
      assert.equal(await converse(path, { op: 'get' }, onLine, (r) => `lost:${r}`), 'ok:1')
      assert.deepEqual(heard, [{ op: 'get' }, { answer: 'ok' }])
    } finally {
      await close(server)
    }
  })

  it('every failure resolves to lost(reason): no socket, closed, garbled, silent past the deadline', async () => {
    const lost = (r: string) => `lost:${r}`
    assert.equal(await converse(join(dir, 'none.sock'), {}, onLine, lost), 'lost:ENOENT')
    const cases: Array<[string, (s: Socket) => void, string]> = [
      ['closed', (s) => s.end(), 'lost:the agent closed the connection'],
      ['garbled', (s) => s.write('not json\n'), 'lost:request is not JSON'],
      // One heartbeat re-arms the deadline to 200 ms, then nothing comes.
      ['silent', (s) => s.write('{"wait":true}\n'), 'lost:no answer within 200 ms'],
    ]
    for (const [name, script, expected] of cases) {
      const path = join(dir, `${name}.sock`)
      const server = await agent(path, (socket) => script(socket))
      try {
        assert.equal(await converse(path, { op: 'get' }, onLine, lost), expected, name)
      } finally {
        await close(server)
      }
    }
  })

  it('a socket is usable when it is there and, given a uid, its directory is that user alone', async () => {
    const uid = process.getuid?.()
    const socket = join(dir, 'sock')
    assert.equal(usableSocket(socket, uid), false, 'nothing there')
    await writeFile(socket, '')
    await chmod(dir, 0o700)
    const reasons: string[] = []
    assert.equal(
      usableSocket(socket, uid, (r) => reasons.push(r)),
      true,
    )
    if (uid === undefined) return
    await chmod(dir, 0o777)
    try {
      assert.equal(
        usableSocket(socket, uid, (r) => reasons.push(r)),
        false,
      )
      assert.match(reasons.join('\n'), /can be entered by other users/)
      assert.equal(usableSocket(socket, undefined), true, 'no uid (Windows): not checked')
    } finally {
      await chmod(dir, 0o700)
    }
  })
})
