/**
 * D-Bus marshaling (D-Bus Specification, "Marshaling (Wire Format)"), as far as a Secret Service
 * client needs it: every basic type but unix fds, arrays, structs, dict entries and variants,
 * little-endian. Reading is in unmarshal.ts, signatures in signature.ts, messages in
 * wire.ts.
 */
import { type DBusError, protocolError } from './dbus-error.js'
import { ALIGN, type DBusValue, splitSignature, type Variant } from './signature.js'

export { type DBusValue, splitSignature, type Variant } from './signature.js'
export { Reader } from './unmarshal.js'

/** Writes values little-endian; offsets (and so padding) count from the start of the buffer. */
export class Writer {
  private buf = Buffer.alloc(256)
  length = 0

  bytes(): Buffer {
    return this.buf.subarray(0, this.length)
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n))
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n
    this.room(pad)
    this.buf.fill(0, this.length, this.length + pad)
    this.length += pad
  }

  raw(b: Buffer): void {
    this.room(b.length)
    b.copy(this.buf, this.length)
    this.length += b.length
  }

  private fixed(n: number, put: (buf: Buffer, at: number) => void): void {
    this.align(n)
    this.room(n)
    put(this.buf, this.length)
    this.length += n
  }

  uint32(v: number): void {
    this.fixed(4, (b, at) => b.writeUInt32LE(v, at))
  }

  /** One value of the single complete type `sig`. */
  write(sig: string, value: DBusValue): void {
    const c = sig[0]
    switch (c) {
      case 'y':
        this.fixed(1, (b, at) => b.writeUInt8(num(value, sig), at))
        return
      case 'b':
        if (typeof value !== 'boolean') throw typeError(sig, value)
        this.uint32(value ? 1 : 0)
        return
      case 'n':
        this.fixed(2, (b, at) => b.writeInt16LE(num(value, sig), at))
        return
      case 'q':
        this.fixed(2, (b, at) => b.writeUInt16LE(num(value, sig), at))
        return
      case 'i':
        this.fixed(4, (b, at) => b.writeInt32LE(num(value, sig), at))
        return
      case 'u':
        this.uint32(num(value, sig))
        return
      case 'x':
        this.fixed(8, (b, at) => b.writeBigInt64LE(big(value, sig), at))
        return
      case 't':
        this.fixed(8, (b, at) => b.writeBigUInt64LE(big(value, sig), at))
        return
      case 'd':
        this.fixed(8, (b, at) => b.writeDoubleLE(num(value, sig), at))
        return
      case 's':
      case 'o': {
        const bytes = Buffer.from(str(value, sig), 'utf8')
        this.uint32(bytes.length)
        this.raw(bytes)
        this.raw(Buffer.of(0))
        return
      }
      case 'g': {
        const bytes = Buffer.from(str(value, sig), 'utf8')
        this.raw(Buffer.of(bytes.length))
        this.raw(bytes)
        this.raw(Buffer.of(0))
        return
      }
      case 'v': {
        const v = value as Variant
        if (typeof v !== 'object' || v === null || !('signature' in v)) throw typeError(sig, value)
        this.write('g', v.signature)
        this.write(v.signature, v.value)
        return
      }
      case '(': {
        if (!Array.isArray(value)) throw typeError(sig, value)
        this.align(8)
        const types = splitSignature(sig.slice(1, -1))
        if (types.length !== value.length) throw typeError(sig, value)
        for (const [i, t] of types.entries()) this.write(t, value[i])
        return
      }
      case 'a':
        this.array(sig.slice(1), value)
        return
      default:
        throw protocolError(`unsupported D-Bus type "${sig}"`)
    }
  }

  private array(element: string, value: DBusValue): void {
    this.uint32(0)
    const lengthAt = this.length - 4
    // The length excludes the padding before the first element (spec: "Arrays").
    this.align(ALIGN[element[0]])
    const start = this.length
    if (element === 'y') {
      this.raw(Buffer.isBuffer(value) ? value : Buffer.from(value as number[]))
    } else if (element[0] === '{') {
      const [k, v] = splitSignature(element.slice(1, -1))
      for (const entry of value as DBusValue[]) {
        const [key, val] = entry as DBusValue[]
        this.align(8)
        this.write(k, key)
        this.write(v, val)
      }
    } else {
      if (!Array.isArray(value)) throw typeError(`a${element}`, value)
      for (const item of value) this.write(element, item)
    }
    this.buf.writeUInt32LE(this.length - start, lengthAt)
  }
}

function num(v: DBusValue, sig: string): number {
  if (typeof v !== 'number') throw typeError(sig, v)
  return v
}

function big(v: DBusValue, sig: string): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number') return BigInt(v)
  throw typeError(sig, v)
}

function str(v: DBusValue, sig: string): string {
  if (typeof v !== 'string') throw typeError(sig, v)
  return v
}

function typeError(sig: string, v: DBusValue): DBusError {
  return protocolError(`D-Bus value ${typeof v} does not fit type "${sig}"`)
}
