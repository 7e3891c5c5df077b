/**
 * Issue 28: the D-Bus wire's limits, case by case. Parted from fuzz.test.ts (whose 130,000 random
 * cases are a system test, run by `npm test` only) so that the quick layer keeps them (issue 27).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DBusError } from '../../src/dbus/dbus-error.js'
import { decodeMessage, encodeMessage, MessageFramer, MessageType, messageLength } from '../../src/dbus/wire.js'
import { header, withSignature } from './fixtures.js'

describe('D-Bus wire limits (issue 28)', () => {
  const protocol = (pattern: RegExp) => (err: unknown) =>
    err instanceof DBusError && err.errorName === 'protocol' && pattern.test(err.message)

  it('a bad byte-order mark or version is refused from the first bytes, before a whole header', () => {
    assert.throws(() => messageLength(Buffer.from('A')), protocol(/byte order mark 0x41/))
    assert.throws(() => messageLength(Buffer.from([0x6c, 1, 0, 2])), protocol(/protocol version 2/))
    assert.throws(() => new MessageFramer().push(Buffer.from('X')), protocol(/byte order mark 0x58/))
    assert.equal(messageLength(Buffer.from([0x6c, 1, 0])), undefined)
  })

  it('a header that claims gigabytes is refused at once: nothing waits for or buffers the rest', () => {
    assert.throws(() => messageLength(header(0x6c, 1, 0xffffffff, 0)), protocol(/vault reads at most/))
    assert.throws(() => messageLength(header(0x6c, 1, 0, 0xfffffff0)), protocol(/vault reads at most/))
    const framer = new MessageFramer()
    assert.throws(() => framer.push(header(0x6c, 1, 2 ** 27, 0)), protocol(/vault reads at most/))
  })

  it('a message that arrives in many pieces is framed once it is whole', () => {
    const big = encodeMessage({
      type: MessageType.MethodReturn,
      flags: 0,
      serial: 9,
      replySerial: 3,
      signature: 'ay',
      body: [Buffer.alloc(1 << 20, 7)],
    })
    const framer = new MessageFramer()
    const got = []
    for (let i = 0; i < big.length; i += 1000) got.push(...framer.push(big.subarray(i, i + 1000)))
    assert.equal(got.length, 1)
    assert.equal((got[0].body[0] as Buffer).length, 1 << 20)
  })

  it('signatures past the spec: empty structs, bad dict entries, deep nesting, an empty variant', () => {
    for (const [signature, pattern] of [
      ['a()', /empty struct/],
      ['a{vs}', /basic key/],
      ['a{sss}', /one key and one value/],
      ['{ss}', /unsupported/],
      ['a'.repeat(33) + 'y', /nests arrays too deeply/],
      ['('.repeat(33) + 'y' + ')'.repeat(33), /nests structs too deeply/],
      ['h', /unsupported/],
    ] as const) {
      assert.throws(() => decodeMessage(withSignature(signature, Buffer.alloc(8))), protocol(pattern), signature)
    }
    // 100 variants, each holding the next: the 65th is refused before the stack is at risk.
    const nested = Buffer.concat([
      ...Array.from({ length: 100 }, () => Buffer.from([1, 0x76, 0])),
      Buffer.from([1, 0x79, 0, 7]),
    ])
    assert.throws(() => decodeMessage(withSignature('v', nested)), protocol(/nested more than 64 deep/))
    assert.throws(() => decodeMessage(withSignature('v', Buffer.from([0, 0]))), protocol(/variant signature ""/))
  })

  it("a peer's control characters are escaped in the error", () => {
    assert.throws(
      () => messageLength(Buffer.from('\x1b[2J')),
      (err: unknown) => err instanceof DBusError && err.message.includes('0x1b') && !err.message.includes('\x1b'),
    )
  })
})
