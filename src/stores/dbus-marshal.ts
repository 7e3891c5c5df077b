/**
 * D-Bus marshaling (D-Bus Specification, "Marshaling (Wire Format)"), as far as a Secret Service
 * client needs it: every basic type but unix fds, arrays, structs, dict entries and variants, in
 * either byte order on read, little-endian on write. Messages are in dbus-wire.ts.
 *
 * Values: y n q i u → number, x t → bigint, d → number, b → boolean, s o g → string,
 * `ay` → Buffer, other arrays → array, `a{kv}` → array of [key, value], struct → array,
 * v → {@link Variant}.
 */

export interface Variant {
  signature: string
  value: DBusValue
}

export type DBusValue = number | bigint | boolean | string | Buffer | Variant | DBusValue[]

const ALIGN: Record<string, number> = {
  y: 1,
  b: 4,
  n: 2,
  q: 2,
  i: 4,
  u: 4,
  x: 8,
  t: 8,
  d: 8,
  s: 4,
  o: 4,
  g: 1,
  a: 4,
  v: 1,
}
ALIGN['('] = 8
ALIGN['{'] = 8

/** The end (exclusive) of the single complete type starting at `i` in `sig`. */
export function typeEnd(sig: string, i: number): number {
  const c = sig[i]
  if (c === undefined) throw new Error(`D-Bus signature "${sig}" ends early`)
  if (c === 'a') return typeEnd(sig, i + 1)
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}'
    let j = i + 1
    while (sig[j] !== close) {
      if (j >= sig.length) throw new Error(`D-Bus signature "${sig}" is unbalanced`)
      j = typeEnd(sig, j)
    }
    return j + 1
  }
  if (!(c in ALIGN)) throw new Error(`unsupported D-Bus type "${c}" in "${sig}"`)
  return i + 1
}

/** The single complete types of a signature: "sa{sv}as" → ["s", "a{sv}", "as"]. */
export function splitSignature(sig: string): string[] {
  const types: string[] = []
  for (let i = 0; i < sig.length; ) {
    const end = typeEnd(sig, i)
    types.push(sig.slice(i, end))
    i = end
  }
  return types
}

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
        throw new Error(`unsupported D-Bus type "${sig}"`)
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

/** Reads values in the message's byte order; offsets count from the start of the buffer. */
export class Reader {
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
    if (at + n > this.buf.length) throw new Error('D-Bus message truncated')
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
      case 'b':
        return this.uint32() !== 0
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
        return this.string(b.readUInt8(this.take(1)))
      case 'v': {
        const signature = this.read('g') as string
        if (splitSignature(signature).length !== 1) throw new Error(`bad D-Bus variant signature "${signature}"`)
        return { signature, value: this.read(signature) }
      }
      case '(': {
        this.align(8)
        return splitSignature(sig.slice(1, -1)).map((t) => this.read(t))
      }
      case 'a':
        return this.array(sig.slice(1))
      default:
        throw new Error(`unsupported D-Bus type "${sig}"`)
    }
  }

  private string(length: number): string {
    const at = this.offset
    if (at + length + 1 > this.buf.length) throw new Error('D-Bus message truncated')
    this.offset += length + 1
    return this.buf.toString('utf8', at, at + length)
  }

  private array(element: string): DBusValue {
    const length = this.uint32()
    this.align(ALIGN[element[0]])
    const end = this.offset + length
    if (end > this.buf.length) throw new Error('D-Bus message truncated')
    if (element === 'y') {
      this.offset = end
      return Buffer.from(this.buf.subarray(end - length, end))
    }
    const items: DBusValue[] = []
    const entry = element[0] === '{' ? splitSignature(element.slice(1, -1)) : undefined
    while (this.offset < end) {
      if (entry) {
        this.align(8)
        items.push([this.read(entry[0]), this.read(entry[1])])
      } else {
        items.push(this.read(element))
      }
    }
    if (this.offset !== end) throw new Error('D-Bus array overruns its length')
    return items
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

function typeError(sig: string, v: DBusValue): Error {
  return new Error(`D-Bus value ${typeof v} does not fit type "${sig}"`)
}
