import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type DBusValue, Reader, splitSignature, Writer } from '../../src/dbus/marshal.js'
import { decodeMessage, encodeMessage, messageLength } from '../../src/dbus/wire.js'
import { hex, LIBDBUS_CALL, LIBDBUS_VALUES } from './fixtures.js'

/** Values written one after another from offset 0, as a message body is. */
function body(types: string[], values: DBusValue[]): Buffer {
  const w = new Writer()
  for (const [i, t] of types.entries()) w.write(t, values[i])
  return Buffer.from(w.bytes())
}

describe('D-Bus wire format', () => {
  it('decodes a message libdbus wrote, every field and value', () => {
    assert.equal(messageLength(LIBDBUS_CALL), LIBDBUS_CALL.length)
    assert.equal(messageLength(LIBDBUS_CALL.subarray(0, 15)), undefined)
    const m = decodeMessage(LIBDBUS_CALL)
    assert.deepEqual(
      { ...m, body: undefined },
      {
        type: 1,
        flags: 0,
        serial: 2,
        path: '/a/b',
        interface: 'org.example.I',
        member: 'M',
        destination: 'org.freedesktop.DBus',
        sender: ':1.1',
        signature: 'saia{ss}vbyodnqx',
        body: undefined,
      },
    )
    assert.deepEqual(m.body, LIBDBUS_VALUES)
  })

  it('encodes the same message to the same bytes as libdbus', () => {
    const encoded = encodeMessage({
      type: 1,
      flags: 0,
      serial: 2,
      path: '/a/b',
      interface: 'org.example.I',
      member: 'M',
      destination: 'org.freedesktop.DBus',
      sender: ':1.1',
      signature: 'saia{ss}vbyodnqx',
      body: LIBDBUS_VALUES,
    })
    assert.equal(encoded.toString('hex'), LIBDBUS_CALL.toString('hex'))
  })

  // Vectors from the D-Bus Specification, "Marshaling (Wire Format)", little-endian.
  const vectors: Array<[string, string[], DBusValue[], string]> = [
    ['UINT32 is 4 bytes, aligned to 4', ['y', 'u'], [1, 0x12345678], '01000000 78563412'],
    ['BOOLEAN is a UINT32 0 or 1', ['b', 'b'], [true, false], '01000000 00000000'],
    ['INT16 aligned to 2, then INT64 aligned to 8', ['n', 'x'], [1, 2n], '0100000000000000 0200000000000000'],
    ['STRING: UINT32 length, bytes, NUL', ['s'], ['foo'], '03000000 666f6f00'],
    ['SIGNATURE: BYTE length, bytes, NUL, no alignment', ['y', 'g'], [9, 'a{sv}'], '09 05 617b73767d 00'],
    ['ARRAY: UINT32 byte length, then elements', ['ai'], [[1, 2]], '08000000 01000000 02000000'],
    [
      'ARRAY of INT64: padding after the length is not counted in it',
      ['y', 'ax'],
      [0xff, [1n]],
      'ff000000 08000000 0100000000000000',
    ],
    ['empty ARRAY of INT64 still pads to the element alignment', ['y', 'ax'], [0xff, []], 'ff000000 00000000'],
    ['ARRAY of BYTE', ['ay'], [Buffer.from('ab')], '02000000 6162'],
    ['STRUCT aligned to 8', ['y', '(yu)'], [1, [2, 3]], '0100000000000000 02000000 03000000'],
    [
      'DICT_ENTRY array: each entry aligned to 8',
      ['a{yu}'],
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
      '10000000 00000000 01000000 02000000 03000000 04000000',
    ],
    ['VARIANT: SIGNATURE then the value', ['v'], [{ signature: 'u', value: 7 }], '01 7500 00 07000000'],
    ['OBJECT_PATH as STRING', ['o'], ['/'], '01000000 2f00'],
  ]
  for (const [name, types, values, bytes] of vectors) {
    it(name, () => {
      assert.equal(body(types, values).toString('hex'), hex(bytes).toString('hex'))
      const r = new Reader(hex(bytes))
      assert.deepEqual(
        types.map((t) => r.read(t)),
        values,
      )
    })
  }

  it('reads big-endian messages too', () => {
    const r = new Reader(hex('00000003 666f6f00 12345678'), 0, false)
    assert.equal(r.read('s'), 'foo')
    assert.equal(r.read('u'), 0x12345678)
  })

  it('splits signatures into single complete types', () => {
    assert.deepEqual(splitSignature('sa{sv}(oayays)aas'), ['s', 'a{sv}', '(oayays)', 'aas'])
    assert.throws(() => splitSignature('a('), /ends early|unbalanced/)
    assert.throws(() => splitSignature('h'), /unsupported/)
  })

  it('refuses a truncated message and a body that does not match its signature', () => {
    assert.throws(() => decodeMessage(LIBDBUS_CALL.subarray(0, LIBDBUS_CALL.length - 4)), /truncated/)
    assert.throws(() => new Reader(hex('05000000 6869')).read('s'), /truncated/)
    assert.throws(() => encodeMessage({ type: 1, flags: 0, serial: 1, signature: 's', body: [] }), /does not match/)
  })
})
