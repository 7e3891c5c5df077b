import type { DBusValue } from '../../src/dbus/marshal.js'
import { MessageType } from '../../src/dbus/wire.js'

export const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

/**
 * A method call as libdbus (dbus-send 1.14) wrote it and the bus delivered it, captured with
 * `dbus-monitor --binary` on a private bus:
 *   dbus-send --session --print-reply --dest=org.freedesktop.DBus /a/b org.example.I.M string:hi \
 *     array:int32:1,2 dict:string:string:k,v variant:uint64:5 boolean:true byte:7 objpath:/x/y \
 *     double:1.5 int16:-2 uint16:3 int64:-9
 */
export const LIBDBUS_CALL = hex(
  '6c01000168000000020000007d00000001016f00040000002f612f6200000000020173000d0000006f72672e6578616d706c652e4900000003017300010000004d0000000000000006017300140000006f72672e667265656465736b746f702e44427573000000000801670010736169617b73737d7662796f646e717800000007017300040000003a312e310000000002000000686900000800000001000000020000000e000000010000006b0000000100000076000174000000000000000005000000000000000100000007000000040000002f782f790000000000000000000000000000f83ffeff030000000000f7ffffffffffffff',
)

export const LIBDBUS_VALUES: DBusValue[] = [
  'hi',
  [1, 2],
  [['k', 'v']],
  { signature: 't', value: 5n },
  true,
  7,
  '/x/y',
  1.5,
  -2,
  3,
  -9n,
]

/** A fixed header: byte order, a method return, version, body length, serial 1, fields length. */
export function header(bom: number, version: number, bodyLength: number, fieldsLength: number): Buffer {
  const b = Buffer.alloc(16)
  b[0] = bom
  b[1] = MessageType.MethodReturn
  b[3] = version
  b.writeUInt32LE(bodyLength, 4)
  b.writeUInt32LE(1, 8)
  b.writeUInt32LE(fieldsLength, 12)
  return b
}

/** A message whose one header field is the signature `signature` (any bytes), then `body`. */
export function withSignature(signature: string, body: Buffer): Buffer {
  const sig = Buffer.concat([
    Buffer.from([8, 1, 0x67, 0, signature.length]),
    Buffer.from(signature, 'latin1'),
    Buffer.of(0),
  ])
  const fields = Buffer.concat([sig, Buffer.alloc((8 - (sig.length % 8)) % 8)])
  return Buffer.concat([header(0x6c, 1, body.length, sig.length), fields, body])
}
