/**
 * Issue 28: whatever bytes a bus sends, vault's D-Bus client yields messages or a 'protocol'
 * DBusError, and nothing else (a bad byte-order mark used to throw from the socket's data handler
 * and crash vault with a stack trace). Seeded, so a failure names the seed and case that repeat it.
 *   - round trip: random valid signatures and values, encoded and decoded back unchanged;
 *   - mutation: ≥100,000 messages mutated from valid ones (libdbus's bytes and the round trip's)
 *     by bit flips, byte overwrites, truncation, extension, length-field changes, byte-order mark
 *     and version changes, signature bytes, inserted and deleted bytes, and splices, each decoded
 *     whole and fed through the framer in random pieces;
 *   - messages with random signatures, valid or not, over bodies of small words;
 *   - random bytes.
 * Nothing may hang (every case is timed; the slowest must be far under a second) or allocate out
 * of proportion to its input (heap and buffers measured before and after).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { DBusError } from '../../src/dbus/dbus-error.js'
import type { DBusValue } from '../../src/dbus/marshal.js'
import { decodeMessage, encodeMessage, MessageFramer, MessageType, messageLength } from '../../src/dbus/wire.js'
import { tsLoader } from '../loader/run-ts.mjs'
import { LIBDBUS_CALL, withSignature } from './fixtures.js'

const SEED = Number(process.env.FUZZ_SEED ?? 0x28d805)
const MUTATIONS = Number(process.env.FUZZ_MUTATIONS ?? 100_000)
/** The whole run takes seconds; ending past this means some decode never ends. */
const FUZZ_DEADLINE_MS = Number(process.env.FUZZ_DEADLINE_MS ?? 300_000)

/** mulberry32: a small seeded PRNG, so every run sees the same cases. */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]
  return { next, int, pick }
}
type Rng = ReturnType<typeof prng>

const BASIC = 'ybnqiuxtdsog'
const CHARS = ['a', 'z', '0', ' ', '/', 'é', '€', '𝄞', '"', '\\', '\n']

function randomType(rng: Rng, depth: number): string {
  const r = rng.int(depth > 3 ? 12 : 17)
  if (r < 12) return BASIC[r]
  if (r === 12) return 'v'
  if (r === 13) return `a${randomType(rng, depth + 1)}`
  if (r === 14) return `a{${rng.pick([...BASIC])}${randomType(rng, depth + 1)}}`
  if (r === 15) return 'ay'
  return `(${Array.from({ length: 1 + rng.int(3) }, () => randomType(rng, depth + 1)).join('')})`
}

function randomString(rng: Rng): string {
  return Array.from({ length: rng.int(12) }, () => rng.pick(CHARS)).join('')
}

function randomValue(rng: Rng, type: string): DBusValue {
  switch (type[0]) {
    case 'y':
      return rng.int(256)
    case 'b':
      return rng.int(2) === 1
    case 'n':
      return rng.int(65536) - 32768
    case 'q':
      return rng.int(65536)
    case 'i':
      return rng.int(2 ** 32) - 2 ** 31
    case 'u':
      return rng.int(2 ** 32)
    case 'x':
      return BigInt.asIntN(64, (BigInt(rng.int(2 ** 32)) << 32n) | BigInt(rng.int(2 ** 32)))
    case 't':
      return (BigInt(rng.int(2 ** 32)) << 32n) | BigInt(rng.int(2 ** 32))
    case 'd':
      return (rng.next() - 0.5) * 10 ** rng.int(20)
    case 's':
      return randomString(rng)
    case 'o':
      return `/${Array.from({ length: rng.int(3) }, () => `p${rng.int(100)}`).join('/')}`
    case 'g':
      return randomType(rng, 2)
    case 'v': {
      const signature = randomType(rng, 3)
      return { signature, value: randomValue(rng, signature) }
    }
    case '(':
      return splitTypes(type.slice(1, -1)).map((t) => randomValue(rng, t))
    case 'a': {
      const element = type.slice(1)
      const n = rng.int(4)
      if (element === 'y') return Buffer.from(Array.from({ length: n * 3 }, () => rng.int(256)))
      if (element[0] === '{') {
        const [k, v] = splitTypes(element.slice(1, -1))
        return Array.from({ length: n }, () => [randomValue(rng, k), randomValue(rng, v)])
      }
      return Array.from({ length: n }, () => randomValue(rng, element))
    }
    default:
      throw new Error(`generator: no values for ${type}`)
  }
}

/** The test's own splitter, so that the generator does not lean on the code under test. */
function splitTypes(sig: string): string[] {
  const out: string[] = []
  let i = 0
  while (i < sig.length) {
    let j = i
    while (sig[j] === 'a') j++
    if (sig[j] === '(' || sig[j] === '{') {
      let depth = 0
      do {
        if (sig[j] === '(' || sig[j] === '{') depth++
        if (sig[j] === ')' || sig[j] === '}') depth--
        j++
      } while (depth > 0)
    } else j++
    out.push(sig.slice(i, j))
    i = j
  }
  return out
}

/** A valid reply (or error, or signal) with a random body, as a bus would send it. */
function randomMessage(rng: Rng) {
  let types: string[] = []
  while (types.length < 1 + rng.int(5)) {
    const t = randomType(rng, 0)
    if ([...types, t].join('').length <= 255) types.push(t)
    else break
  }
  if (rng.int(8) === 0) types = []
  const type = rng.pick([MessageType.MethodReturn, MessageType.Error, MessageType.Signal])
  return {
    type,
    flags: rng.int(4),
    serial: 1 + rng.int(1000),
    ...(type === MessageType.Signal
      ? { path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'NameAcquired' }
      : { replySerial: 1 + rng.int(1000) }),
    ...(type === MessageType.Error ? { errorName: 'org.freedesktop.DBus.Error.Failed' } : {}),
    sender: ':1.7',
    signature: types.join(''),
    body: types.map((t) => randomValue(rng, t)),
  }
}

/** Offsets of the uint32 fields a mutation likes to hit: the fixed header's lengths, and any aligned word. */
function mutate(rng: Rng, valid: Buffer, other: Buffer): Buffer {
  const b = Buffer.from(valid)
  const kind = rng.int(11)
  const at = rng.int(b.length)
  switch (kind) {
    case 0: // bit flips
      for (let n = 1 + rng.int(8); n > 0; n--) {
        const i = rng.int(b.length)
        b[i] ^= 1 << rng.int(8)
      }
      return b
    case 1: // byte overwrites
      for (let n = 1 + rng.int(4); n > 0; n--) b[rng.int(b.length)] = rng.pick([0, 0xff, 0x7f, 0x80, rng.int(256)])
      return b
    case 2: // truncation
      return b.subarray(0, at)
    case 3: // extension with random bytes
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + rng.int(64) }, () => rng.int(256)))])
    case 4: {
      // a length field: the body's, the header fields', or any aligned uint32 (array and string lengths)
      const offset = rng.pick([4, 12, 4 * rng.int(Math.floor(b.length / 4))])
      if (offset + 4 > b.length) return b
      const old = b.readUInt32LE(offset)
      const value = rng.pick([0, 1, 0xffffffff, 0x7fffffff, 2 ** 26, 2 ** 26 + 1, 2 ** 27, old + 1, old - 1, old * 2])
      b.writeUInt32LE(value >>> 0, offset)
      return b
    }
    case 5: // byte-order mark
      b[0] = rng.pick([0x42, 0x6c, 0x00, 0x41, 0xff, rng.int(256)])
      return b
    case 6: // protocol version and message type
      b[rng.pick([1, 3])] = rng.int(256)
      return b
    case 7: {
      // a signature's characters: any byte that is a type code or a bracket
      const codes = Buffer.from('ybnqiuxtdsogvah(){}')
      const sigs = [...b.entries()].filter(([, v]) => codes.includes(v)).map(([i]) => i)
      for (let n = 1 + rng.int(3); n > 0 && sigs.length; n--) b[rng.pick(sigs)] = rng.pick([...codes])
      return b
    }
    case 8: // inserted bytes
      return Buffer.concat([b.subarray(0, at), Buffer.from([rng.int(256), rng.int(256)]), b.subarray(at)])
    case 9: // deleted bytes
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rng.int(8))])
    default: // splice: the head of one message, the tail of another
      return Buffer.concat([b.subarray(0, at), other.subarray(rng.int(other.length))])
  }
}

/**
 * A message with a random signature, valid or not (empty structs, dict entries anywhere, deep
 * nesting), over a body of small words and random bytes: lengths that fit, so the reader gets
 * past them into the containers.
 */
function randomSignatureMessage(rng: Rng): Buffer {
  const alphabet = ['y', 'b', 'u', 's', 'g', 'v', 'a', 'a', '(', ')', '()', '{', '}', 'a{s', 'a(', 'h', 'aaaa']
  const signature = Array.from({ length: 1 + rng.int(8) }, () => rng.pick(alphabet)).join('')
  const words = Array.from({ length: 1 + rng.int(16) }, () => (rng.int(2) ? rng.int(24) : rng.int(2 ** 32)))
  const body = Buffer.alloc(words.length * 4)
  for (const [i, w] of words.entries()) body.writeUInt32LE(w, i * 4)
  for (let n = rng.int(4); n > 0; n--) body[rng.int(body.length)] = rng.pick([0, 1, 0x76, 0x79, 0x28, 0x29])
  return withSignature(signature, body)
}

interface Tally {
  cases: number
  decoded: number
  refused: number
  slowestMs: number
  slowest?: string
}

/** Runs `fn`; only a DBusError may escape it. */
function survive(tally: Tally, what: string, fn: () => void): void {
  const started = performance.now()
  try {
    fn()
    tally.decoded++
  } catch (err) {
    if (!(err instanceof DBusError)) {
      assert.fail(`${what}: threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.stack ?? err}`)
    }
    assert.equal(err.errorName, 'protocol', `${what}: ${err.message}`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters that must not appear
    assert.doesNotMatch(err.message, /[\u0000-\u001f\u007f-\u009f]/, `${what}: control characters in "${err.message}"`)
    tally.refused++
  }
  tally.cases++
  const ms = performance.now() - started
  if (ms > tally.slowestMs) {
    tally.slowestMs = ms
    tally.slowest = what
  }
}

/** Decodes `bytes` whole, and through a framer in random pieces. */
function drive(rng: Rng, tally: Tally, bytes: Buffer, what: string): void {
  survive(tally, `${what} (decodeMessage)`, () => {
    messageLength(bytes)
    decodeMessage(bytes)
  })
  survive(tally, `${what} (framer)`, () => {
    const framer = new MessageFramer()
    for (let i = 0; i < bytes.length; ) {
      const n = 1 + rng.int(rng.int(2) ? 8 : bytes.length)
      framer.push(bytes.subarray(i, i + n))
      i += n
    }
  })
}

/** The mutation run, in a worker: the tally, or the first escape that was no DBusError. */
function fuzz(): { tally: Tally; grown: number } | { error: string } {
  try {
    return fuzzCases()
  } catch (err) {
    return { error: (err as Error).message }
  }
}

function fuzzCases(): { tally: Tally; grown: number } {
  const rng = prng(SEED + 1)
  const corpus = [LIBDBUS_CALL, ...Array.from({ length: 300 }, () => encodeMessage(randomMessage(rng)))]
  const tally: Tally = { cases: 0, decoded: 0, refused: 0, slowestMs: 0 }
  globalThis.gc?.()
  const before = memory()
  let peak = before
  for (let i = 0; i < MUTATIONS; i++) {
    const valid = rng.pick(corpus)
    let bytes = mutate(rng, valid, rng.pick(corpus))
    // Now and then a mutant of a mutant: several faults at once.
    if (rng.int(4) === 0) bytes = mutate(rng, bytes, rng.pick(corpus))
    drive(rng, tally, bytes, `seed ${SEED} mutation ${i}`)
    if (i % 5000 === 0) peak = Math.max(peak, memory())
  }
  for (let i = 0; i < 20_000; i++) drive(rng, tally, randomSignatureMessage(rng), `seed ${SEED} signature ${i}`)
  for (let i = 0; i < 10_000; i++) {
    const bytes = Buffer.from(Array.from({ length: rng.int(200) }, () => rng.int(256)))
    if (rng.int(2)) bytes[0] = rng.pick([0x6c, 0x42])
    if (rng.int(2) && bytes.length > 3) bytes[3] = 1
    drive(rng, tally, bytes, `seed ${SEED} random ${i}`)
  }
  peak = Math.max(peak, memory())
  return { tally, grown: peak - before }
}

function memory(): number {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

if (!isMainThread && workerData === 'fuzz') parentPort?.postMessage(fuzz())

if (isMainThread)
  describe('D-Bus wire fuzzing (issue 28)', () => {
    it('random valid messages survive a round trip unchanged', () => {
      const rng = prng(SEED)
      for (let i = 0; i < 5000; i++) {
        const m = randomMessage(rng)
        const bytes = encodeMessage(m)
        assert.equal(messageLength(bytes), bytes.length)
        const back = decodeMessage(bytes)
        assert.deepEqual(back.body, m.body, `seed ${SEED} case ${i}: signature "${m.signature}"`)
        assert.equal(back.signature, m.signature)
        assert.equal(back.replySerial, (m as { replySerial?: number }).replySerial)
      }
    })

    it(`${MUTATIONS} mutated messages and random bytes: only a 'protocol' DBusError escapes, nothing hangs or balloons`, async (t) => {
      // In a worker, so that a decode that never ends (a loop that makes no progress) fails the
      // test at the deadline instead of hanging it: terminate() stops a worker's JavaScript.
      // A worker does not inherit the test's TypeScript loader (Node 20): it registers it, then loads this file.
      const load = `import(${JSON.stringify(tsLoader)}).then(() => import(${JSON.stringify(import.meta.url)}))`
      const worker = new Worker(load, { eval: true, workerData: 'fuzz' })
      let timer: NodeJS.Timeout | undefined
      try {
        const result = await Promise.race([
          new Promise<{ tally: Tally; grown: number } | { error: string }>((resolve, reject) => {
            worker.once('message', resolve)
            worker.once('error', reject)
          }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`the fuzz run did not end within ${FUZZ_DEADLINE_MS / 1000} s: a decode hangs`)),
              FUZZ_DEADLINE_MS,
            )
          }),
        ])
        if ('error' in result) assert.fail(result.error)
        const { tally, grown } = result
        t.diagnostic(
          `${tally.cases} decodes: ${tally.decoded} read, ${tally.refused} refused; slowest ${tally.slowestMs.toFixed(1)} ms (${tally.slowest}); memory ${(grown / 2 ** 20).toFixed(1)} MB over the start`,
        )
        assert.ok(tally.cases >= 2 * (MUTATIONS + 30_000))
        assert.ok(tally.refused > tally.cases / 4, 'most mutants are refused')
        assert.ok(tally.decoded > 1000, 'some mutants still decode (the mutations are not all fatal)')
        // Each input is under 2 KB: a decode that takes a second, or memory that grows by hundreds of
        // megabytes, means work or allocation out of proportion to the input (a loop, a huge buffer).
        assert.ok(tally.slowestMs < 1000, `slowest case ${tally.slowestMs} ms: ${tally.slowest}`)
        assert.ok(grown < 256 * 2 ** 20, `memory grew by ${grown} bytes`)
      } finally {
        clearTimeout(timer)
        await worker.terminate()
      }
    })
  })
