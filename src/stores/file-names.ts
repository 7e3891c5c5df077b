/**
 * File names for items in aws-vault's file backend. 99designs/keyring (file.go) names each file
 * `percent.Encode(key, "/")` from github.com/mtibben/percent: `%` and `/` become `%25` and `%2F`,
 * everything else is kept. Decoding turns every valid `%XX` back into its byte, as percent.Decode
 * does, so names written by aws-vault round-trip exactly.
 */
export function encodeFileName(key: string): string {
  return key.replace(/[%/]/g, (c) => (c === '%' ? '%25' : '%2F'))
}

export function decodeFileName(name: string): string {
  const src = Buffer.from(name, 'utf8')
  const out: number[] = []
  for (let i = 0; i < src.length; i++) {
    // Same bounds test as percent.Decode: a `%` needs two hex digits after it.
    if (src[i] === 0x25 && i + 2 < src.length && isHex(src[i + 1]) && isHex(src[i + 2])) {
      out.push(Number.parseInt(String.fromCharCode(src[i + 1], src[i + 2]), 16))
      i += 2
    } else {
      out.push(src[i])
    }
  }
  return Buffer.from(out).toString('utf8')
}

function isHex(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
}
