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
    if (err instanceof errors.JWEDecryptionFailed) return { ok: false, reason: 'passphrase', detail: err.message }
    return { ok: false, reason: 'corrupt', detail: (err as Error).message }
  }
}
