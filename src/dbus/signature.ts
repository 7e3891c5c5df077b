/**
 * D-Bus type signatures (D-Bus Specification, "Type System", "Valid Signatures"): the values vault
 * reads and writes, alignments, and the checks every signature a peer sends goes through.
 *
 * Values: y n q i u → number, x t → bigint, d → number, b → boolean, s o g → string,
 * `ay` → Buffer, other arrays → array, `a{kv}` → array of [key, value], struct → array,
 * v → {@link Variant}.
 */
import { protocolError } from './dbus-error.js'

export interface Variant {
  signature: string
  value: DBusValue
}

export type DBusValue = number | bigint | boolean | string | Buffer | Variant | DBusValue[]

export const ALIGN: Record<string, number> = {
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

/** The spec's limits ("Valid Signatures", "Arrays"): nesting of arrays, of structs, of all containers. */
const MAX_ARRAY_NESTING = 32
const MAX_STRUCT_NESTING = 32
export const MAX_DEPTH = 64
export const MAX_SIGNATURE_LENGTH = 255
/** The longest array a message may hold, in bytes (2^26). */
export const MAX_ARRAY_LENGTH = 67_108_864

/** Types that may be a dict entry's key. */
const BASIC = new Set('ybnqiuxtdsog')
/** Types that stand alone: the basic ones and variant. */
const SINGLE = new Set('ybnqiuxtdsogv')

/**
 * The end (exclusive) of the single complete type starting at `i` in `sig`, checked against the
 * spec ("Valid Signatures"): no empty struct, a dict entry only as an array's element with a basic
 * key and one value, at most 32 nested arrays and 32 nested structs.
 */
export function typeEnd(sig: string, i: number, arrays = 0, structs = 0): number {
  const c = sig[i]
  if (c === undefined) throw protocolError(`D-Bus signature "${sig}" ends early`)
  if (c === 'a') {
    if (arrays >= MAX_ARRAY_NESTING) throw protocolError(`D-Bus signature "${sig}" nests arrays too deeply`)
    if (sig[i + 1] !== '{') return typeEnd(sig, i + 1, arrays + 1, structs)
    if (structs >= MAX_STRUCT_NESTING) throw protocolError(`D-Bus signature "${sig}" nests structs too deeply`)
    if (!BASIC.has(sig[i + 2] ?? ''))
      throw protocolError(`D-Bus signature "${sig}" has a dict entry without a basic key`)
    const end = typeEnd(sig, i + 3, arrays + 1, structs + 1)
    if (sig[end] !== '}')
      throw protocolError(`D-Bus signature "${sig}" has a dict entry that is not one key and one value`)
    return end + 1
  }
  if (c === '(') {
    if (structs >= MAX_STRUCT_NESTING) throw protocolError(`D-Bus signature "${sig}" nests structs too deeply`)
    if (sig[i + 1] === ')') throw protocolError(`D-Bus signature "${sig}" has an empty struct`)
    let j = i + 1
    while (sig[j] !== ')') {
      if (j >= sig.length) throw protocolError(`D-Bus signature "${sig}" is unbalanced`)
      j = typeEnd(sig, j, arrays, structs + 1)
    }
    return j + 1
  }
  if (!SINGLE.has(c)) throw protocolError(`unsupported D-Bus type "${c}" in "${sig}"`)
  return i + 1
}

/** The single complete types of a signature: "sa{sv}as" → ["s", "a{sv}", "as"]. */
export function splitSignature(sig: string): string[] {
  if (sig.length > MAX_SIGNATURE_LENGTH) throw protocolError('D-Bus signature longer than 255 bytes')
  const types: string[] = []
  for (let i = 0; i < sig.length; ) {
    const end = typeEnd(sig, i)
    types.push(sig.slice(i, end))
    i = end
  }
  return types
}
