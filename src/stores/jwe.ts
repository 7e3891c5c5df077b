/**
 * The file backend's envelope: JWE compact serialization, PBES2-HS256+A128KW key wrapping from a
 * passphrase and A256GCM content encryption, as 99designs/keyring writes with jose2go. jose is
 * imported lazily so commands that never touch the file backend do not load it.
 */
export const JWE_ALG = 'PBES2-HS256+A128KW'
export const JWE_ENC = 'A256GCM'
export const PBES2_COUNT = 8192

// Reading accepts the whole PBES2 family and any standard enc, in case a file came from another
// jose implementation; the PBKDF2 count is capped so a planted file cannot stall vault.
const READ_ALGS = ['PBES2-HS256+A128KW', 'PBES2-HS384+A192KW', 'PBES2-HS512+A256KW']
const READ_ENCS = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512']
const MAX_PBES2_COUNT = 1_000_000

export async function encryptJwe(plaintext: string, passphrase: string): Promise<string> {
  const { CompactEncrypt } = await import('jose')
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: JWE_ALG, enc: JWE_ENC })
    .setKeyManagementParameters({ p2c: PBES2_COUNT })
    .encrypt(new TextEncoder().encode(passphrase))
}

export type DecryptResult =
  | { ok: true; plaintext: string }
  | { ok: false; reason: 'passphrase' | 'corrupt'; detail: string }

/** Decrypt one item. A failed key unwrap or tag check almost always means a wrong passphrase. */
export async function decryptJwe(jwe: string, passphrase: string): Promise<DecryptResult> {
  const { compactDecrypt, errors } = await import('jose')
  try {
    const { plaintext } = await compactDecrypt(jwe.trim(), new TextEncoder().encode(passphrase), {
      keyManagementAlgorithms: READ_ALGS,
      contentEncryptionAlgorithms: READ_ENCS,
      maxPBES2Count: MAX_PBES2_COUNT,
    })
    return { ok: true, plaintext: new TextDecoder().decode(plaintext) }
  } catch (err) {
    if (err instanceof errors.JWEDecryptionFailed) {
      // jose cannot tell a wrong passphrase from damaged content: on a failed key unwrap it goes
      // on with a random key (RFC 7516 §11.5), and both end in a failed tag check. Unwrapping the
      // key ourselves tells them apart (issue 15: a flipped byte read as "wrong passphrase").
      if (await unwrapsKey(jwe.trim(), passphrase)) {
        return { ok: false, reason: 'corrupt', detail: 'its content fails its integrity check' }
      }
      return { ok: false, reason: 'passphrase', detail: err.message }
    }
    return { ok: false, reason: 'corrupt', detail: (err as Error).message }
  }
}

const KEY_WRAP: Record<string, { hash: string; bytes: number }> = {
  'PBES2-HS256+A128KW': { hash: 'sha256', bytes: 16 },
  'PBES2-HS384+A192KW': { hash: 'sha384', bytes: 24 },
  'PBES2-HS512+A256KW': { hash: 'sha512', bytes: 32 },
}

/**
 * True when `passphrase` unwraps the content key of `jwe` (RFC 7518 §4.8: PBKDF2 over
 * alg || 0x00 || p2s, then AES key unwrap, whose built-in check fails for a wrong key).
 */
async function unwrapsKey(jwe: string, passphrase: string): Promise<boolean> {
  const { createDecipheriv, pbkdf2 } = await import('node:crypto')
  try {
    const [head, encryptedKey] = jwe.split('.')
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as {
      alg?: string
      p2s?: string
      p2c?: number
    }
    const wrap = KEY_WRAP[header.alg ?? '']
    if (!wrap || typeof header.p2s !== 'string' || typeof header.p2c !== 'number') return false
    if (header.p2c < 1 || header.p2c > MAX_PBES2_COUNT) return false
    const salt = Buffer.concat([
      Buffer.from(header.alg ?? '', 'utf8'),
      Buffer.from([0]),
      Buffer.from(header.p2s, 'base64url'),
    ])
    const kek = await new Promise<Buffer>((resolve, reject) =>
      pbkdf2(passphrase, salt, header.p2c as number, wrap.bytes, wrap.hash, (err, key) =>
        err ? reject(err) : resolve(key),
      ),
    )
    const decipher = createDecipheriv(`id-aes${wrap.bytes * 8}-wrap`, kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'))
    Buffer.concat([decipher.update(Buffer.from(encryptedKey, 'base64url')), decipher.final()])
    return true
  } catch {
    return false
  }
}
