/**
 * D-Bus unmarshaling (D-Bus Specification, "Marshaling (Wire Format)") for untrusted bytes: every
 * basic type but unix fds, arrays, structs, dict entries and variants, in either byte order. Every
 * malformed input (a bad signature, a length past the end, nesting past the spec's limits, a value
 * a type cannot hold) throws a 'protocol' DBusError, and nothing else; the spec's limits bound the
 * work, so no input can exhaust the stack or make a loop run on.
 */
import { protocolError } from './dbus-error.js'
import { ALIGN, type DBusValue, MAX_ARRAY_LENGTH, MAX_DEPTH, splitSignature, typeEnd } from './signature.js'

/**
 * Reads values in the message's byte order; offsets count from the start of the buffer. `sig`
 * must be a valid single complete type (typeEnd): the signatures a message carries are checked
 * as they are read.
 */
export class Reader {
  private depth = 0

  constructor(
    private readonly buf: Buffer,
    public offset = 0,
    private readonly little = true,
  ) {}

  align(n: number): void {
    this.offset += (n - (this.offset % n)) % n
  }

  private take(n: number): number {
    this.align(n)
    const at = this.offset
    if (at + n > this.buf.length) throw protocolError('D-Bus message truncated')
    this.offset += n
    return at
  }

  uint32(): number {
    const at = this.take(4)
    return this.little ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at)
  }

  read(sig: string): DBusValue {
    const b = this.buf
    const le = this.little
    switch (sig[0]) {
      case 'y':
        return b.readUInt8(this.take(1))
      case 'b': {
        const v = this.uint32()
        if (v > 1) throw protocolError(`D-Bus boolean holds ${v}`)
        return v === 1
      }
      case 'n': {
        const at = this.take(2)
        return le ? b.readInt16LE(at) : b.readInt16BE(at)
      }
      case 'q': {
        const at = this.take(2)
        return le ? b.readUInt16LE(at) : b.readUInt16BE(at)
      }
      case 'i': {
        const at = this.take(4)
        return le ? b.readInt32LE(at) : b.readInt32BE(at)
      }
      case 'u':
        return this.uint32()
      case 'x': {
        const at = this.take(8)
        return le ? b.readBigInt64LE(at) : b.readBigInt64BE(at)
      }
      case 't': {
        const at = this.take(8)
        return le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)
      }
      case 'd': {
        const at = this.take(8)
        return le ? b.readDoubleLE(at) : b.readDoubleBE(at)
      }
      case 's':
      case 'o':
        return this.string(this.uint32())
      case 'g':
        return this.signature()
      case 'v':
        return this.nested(() => {
          const signature = this.signature()
          if (signature === '' || typeEnd(signature, 0) !== signature.length) {
            throw protocolError(`bad D-Bus variant signature "${signature}"`)
          }
          return { signature, value: this.read(signature) }
        })
      case '(':
        return this.nested(() => {
          this.align(8)
          return splitSignature(sig.slice(1, -1)).map((t) => this.read(t))
        })
      case 'a':
        return this.nested(() => this.array(sig.slice(1)))
      default:
        throw protocolError(`unsupported D-Bus type "${sig}"`)
    }
  }

  /** Containers within containers, variants included, at most 64 deep (spec: "Valid Signatures"). */
  private nested<T>(read: () => T): T {
    if (this.depth >= MAX_DEPTH) throw protocolError('D-Bus values nested more than 64 deep')
    this.depth++
    const value = read()
    this.depth--
    return value
  }

  private signature(): string {
    const sig = this.string(this.buf.readUInt8(this.take(1)))
    splitSignature(sig)
    return sig
  }

  private string(length: number): string {
    const at = this.offset
    if (at + length + 1 > this.buf.length) throw protocolError('D-Bus message truncated')
    if (this.buf[at + length] !== 0) throw protocolError('D-Bus string without its terminating NUL')
    this.offset += length + 1
    return this.buf.toString('utf8', at, at + length)
  }

  private array(element: string): DBusValue {
    const length = this.uint32()
    if (length > MAX_ARRAY_LENGTH) throw protocolError(`D-Bus array of ${length} bytes (at most 2^26)`)
    this.align(ALIGN[element[0]])
    const end = this.offset + length
    if (end > this.buf.length) throw protocolError('D-Bus message truncated')
    if (element === 'y') {
      this.offset = end
      return Buffer.from(this.buf.subarray(end - length, end))
    }
    const items: DBusValue[] = []
    const entry = element[0] === '{' ? splitSignature(element.slice(1, -1)) : undefined
    // Every element takes at least one byte (no empty structs, no empty variant signatures), so
    // the loop ends.
    while (this.offset < end) {
      if (entry) {
        this.align(8)
        items.push([this.read(entry[0]), this.read(entry[1])])
      } else {
        items.push(this.read(element))
      }
    }
    if (this.offset !== end) throw protocolError('D-Bus array overruns its length')
    return items
  }
}
