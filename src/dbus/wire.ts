import { DBusError, protocolError } from './dbus-error.js'
import { type DBusValue, Reader, splitSignature, type Variant, Writer } from './marshal.js'

/**
 * D-Bus messages (D-Bus Specification, "Message Format"): header, fields and body, and the
 * framing of a byte stream into messages. Whatever bytes a peer sends, reading them either
 * yields messages or throws a 'protocol' DBusError.
 */

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

/**
 * The longest message vault reads. The spec allows 2^27 bytes; a Secret Service reply is a few
 * kilobytes (a SearchItems of thousands of items, well under a megabyte), and a peer that claims
 * more is refused at once rather than buffered.
 */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024

type Outgoing = Omit<Message, 'body' | 'signature'> & { signature?: string; body?: DBusValue[] }

/** A whole message, little-endian, ready for the socket; a DBusError when the values do not fit. */
export function encodeMessage(m: Outgoing): Buffer {
  try {
    return encode(m)
  } catch (err) {
    // Buffer's own range checks (a byte of 300) throw RangeError.
    throw err instanceof DBusError ? err : protocolError(`cannot encode a D-Bus message: ${(err as Error).message}`)
  }
}

function encode(m: Outgoing): Buffer {
  const signature = m.signature ?? ''
  const types = splitSignature(signature)
  const bodyValues = m.body ?? []
  if (types.length !== bodyValues.length) throw protocolError(`D-Bus body does not match signature "${signature}"`)
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

/**
 * The length of the first message in `buf`, or undefined while its fixed header is incomplete.
 * Throws as soon as the bytes there show it is no message vault reads: a bad byte-order mark,
 * another protocol version, or lengths past MAX_MESSAGE_BYTES.
 */
export function messageLength(buf: Buffer): number | undefined {
  if (buf.length === 0) return undefined
  const little = endianness(buf)
  if (buf.length >= 4 && buf[3] !== 1) throw protocolError(`unsupported D-Bus protocol version ${buf[3]}`)
  if (buf.length < 16) return undefined
  const bodyLength = little ? buf.readUInt32LE(4) : buf.readUInt32BE(4)
  const fieldsLength = little ? buf.readUInt32LE(12) : buf.readUInt32BE(12)
  const header = 16 + fieldsLength
  const length = header + ((8 - (header % 8)) % 8) + bodyLength
  if (length > MAX_MESSAGE_BYTES) {
    throw protocolError(`a D-Bus message of ${length} bytes (vault reads at most ${MAX_MESSAGE_BYTES})`)
  }
  return length
}

/** Decodes one whole message (as long as messageLength says). */
export function decodeMessage(buf: Buffer): Message {
  const length = messageLength(buf)
  if (length === undefined || length > buf.length) throw protocolError('D-Bus message truncated')
  const little = endianness(buf)
  const r = new Reader(buf.subarray(0, length), 4, little)
  const bodyLength = r.uint32()
  const serial = r.uint32()
  const m: Message = { type: buf[1], flags: buf[2], serial, signature: '', body: [] }
  for (const field of r.read('a(yv)') as DBusValue[][]) {
    const [code, variant] = field as [number, Variant]
    const known = FIELDS.find(([c]) => c === code)
    if (!known) continue // unknown fields are ignored (spec: "Header Fields")
    if (variant.signature !== known[2]) {
      throw protocolError(`D-Bus header field ${known[1]} has type "${variant.signature}", not "${known[2]}"`)
    }
    ;(m as unknown as Record<string, unknown>)[known[1]] = variant.value
  }
  r.align(8)
  const start = r.offset
  if (start + bodyLength > length) throw protocolError('D-Bus message truncated')
  m.body = splitSignature(m.signature).map((t) => r.read(t))
  if (r.offset !== start + bodyLength) throw protocolError('D-Bus body length does not match its signature')
  return m
}

/**
 * Splits a byte stream into messages. Chunks are kept apart until a message's last byte has
 * arrived, so a large message is copied once, not once a chunk.
 */
export class MessageFramer {
  private chunks: Buffer[] = []
  private size = 0
  /** Bytes needed before the next look: a header's 16, or the whole message once its length is known. */
  private need = 16

  /** The messages completed by `chunk`; a 'protocol' DBusError when the stream is no D-Bus. */
  push(chunk: Buffer): Message[] {
    this.chunks.push(chunk)
    this.size += chunk.length
    const messages: Message[] = []
    for (;;) {
      // Under 16 bytes the header is looked at anyway: a bad byte-order mark fails at once.
      if (this.size === 0 || (this.size < this.need && this.need > 16)) return messages
      const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size)
      this.chunks = [buf]
      const length = messageLength(buf)
      if (length === undefined || buf.length < length) {
        this.need = length ?? 16
        return messages
      }
      messages.push(decodeMessage(buf.subarray(0, length)))
      const rest = buf.subarray(length)
      this.chunks = rest.length ? [rest] : []
      this.size = rest.length
      this.need = 16
    }
  }
}

function endianness(buf: Buffer): boolean {
  if (buf[0] === 0x6c) return true
  if (buf[0] === 0x42) return false
  throw protocolError(`bad D-Bus byte order mark 0x${buf[0]?.toString(16)}`)
}
