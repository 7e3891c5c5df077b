import { type DBusValue, Reader, splitSignature, type Variant, Writer } from './dbus-marshal.js'

/** D-Bus messages (D-Bus Specification, "Message Format"): header, fields and body. */

export const MessageType = { MethodCall: 1, MethodReturn: 2, Error: 3, Signal: 4 } as const

export interface Message {
  type: number
  flags: number
  serial: number
  path?: string
  interface?: string
  member?: string
  errorName?: string
  replySerial?: number
  destination?: string
  sender?: string
  signature: string
  body: DBusValue[]
}

/**
 * Header field codes (spec: "Header Fields") and their types, in the order libdbus writes them
 * (the bus appends the sender), so an encoded message matches libdbus's bytes.
 */
const FIELDS = [
  [1, 'path', 'o'],
  [2, 'interface', 's'],
  [3, 'member', 's'],
  [4, 'errorName', 's'],
  [5, 'replySerial', 'u'],
  [6, 'destination', 's'],
  [8, 'signature', 'g'],
  [7, 'sender', 's'],
] as const

/** A whole message, little-endian, ready for the socket. */
export function encodeMessage(m: Omit<Message, 'body' | 'signature'> & { signature?: string; body?: DBusValue[] }) {
  const signature = m.signature ?? ''
  const types = splitSignature(signature)
  const bodyValues = m.body ?? []
  if (types.length !== bodyValues.length) throw new Error(`D-Bus body does not match signature "${signature}"`)
  const body = new Writer()
  for (const [i, t] of types.entries()) body.write(t, bodyValues[i])
  const fields: DBusValue[] = []
  for (const [code, name, type] of FIELDS) {
    const value = name === 'signature' ? (signature === '' ? undefined : signature) : m[name]
    if (value !== undefined) fields.push([code, { signature: type, value }])
  }
  const w = new Writer()
  w.raw(Buffer.from([0x6c, m.type, m.flags, 1])) // 'l': little-endian; protocol version 1
  w.uint32(body.length)
  w.uint32(m.serial)
  w.write('a(yv)', fields)
  w.align(8)
  w.raw(body.bytes())
  return Buffer.from(w.bytes())
}

/** The length of the first message in `buf`, or undefined while its fixed header is incomplete. */
export function messageLength(buf: Buffer): number | undefined {
  if (buf.length < 16) return undefined
  const little = endianness(buf)
  const bodyLength = little ? buf.readUInt32LE(4) : buf.readUInt32BE(4)
  const fieldsLength = little ? buf.readUInt32LE(12) : buf.readUInt32BE(12)
  const header = 16 + fieldsLength
  return header + ((8 - (header % 8)) % 8) + bodyLength
}

/** Decodes one whole message (as long as messageLength says). */
export function decodeMessage(buf: Buffer): Message {
  const little = endianness(buf)
  if (buf[3] !== 1) throw new Error(`unsupported D-Bus protocol version ${buf[3]}`)
  const r = new Reader(buf, 4, little)
  const bodyLength = r.uint32()
  const serial = r.uint32()
  const m: Message = { type: buf[1], flags: buf[2], serial, signature: '', body: [] }
  for (const field of r.read('a(yv)') as DBusValue[][]) {
    const [code, variant] = field as [number, Variant]
    const known = FIELDS.find(([c]) => c === code)
    if (known) (m as unknown as Record<string, unknown>)[known[1]] = variant.value
  }
  r.align(8)
  const start = r.offset
  if (start + bodyLength > buf.length) throw new Error('D-Bus message truncated')
  m.body = splitSignature(m.signature).map((t) => r.read(t))
  if (r.offset !== start + bodyLength) throw new Error('D-Bus body length does not match its signature')
  return m
}

function endianness(buf: Buffer): boolean {
  if (buf[0] === 0x6c) return true
  if (buf[0] === 0x42) return false
  throw new Error(`bad D-Bus byte order mark 0x${buf[0]?.toString(16)}`)
}
