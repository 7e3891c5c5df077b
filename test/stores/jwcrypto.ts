import { spawnSync } from 'node:child_process'

// Debian's python3-jwcrypto: an independent JOSE implementation. /usr/bin/python3 on purpose:
// a pyenv python3 earlier on PATH does not see Debian's packages.
const PYTHON = '/usr/bin/python3'

const DECRYPT = `
import json, os, sys
from jwcrypto import jwe, jwk
key = jwk.JWK.from_password(os.environ['PASS'])
token = jwe.JWE(algs=['PBES2-HS256+A128KW', 'A256GCM'])
token.deserialize(open(os.environ['FILE']).read(), key=key)
sys.stdout.write(json.dumps({'header': json.loads(token.objects['protected']), 'payload': token.payload.decode()}))
`

// What 99designs/keyring's file backend writes: jose2go puts alg, enc and a "created" stamp in
// the protected header; PBES2 adds p2s and p2c (8192).
const ENCRYPT = `
import json, os, sys
from jwcrypto import jwe, jwk
key = jwk.JWK.from_password(os.environ['PASS'])
header = {'alg': 'PBES2-HS256+A128KW', 'enc': 'A256GCM', 'created': '2024-05-01 10:00:00.123 +0000 UTC m=+0.01'}
token = jwe.JWE(os.environ['PLAINTEXT'].encode(), protected=json.dumps(header), algs=['PBES2-HS256+A128KW', 'A256GCM'])
token.add_recipient(key)
with open(os.environ['FILE'], 'w') as f:
    f.write(token.serialize(compact=True))
`

function python(script: string, env: Record<string, string>): string {
  const r = spawnSync(PYTHON, ['-c', script], { env: { ...env, PATH: process.env.PATH }, encoding: 'utf8' })
  if (r.error || r.status !== 0) {
    throw new Error(
      `python3-jwcrypto failed (${r.error?.message ?? r.stderr}); install with: apt-get install python3-jwcrypto`,
    )
  }
  return r.stdout
}

export function jwcryptoDecrypt(
  file: string,
  passphrase: string,
): { header: Record<string, unknown>; payload: string } {
  return JSON.parse(python(DECRYPT, { FILE: file, PASS: passphrase }))
}

export function jwcryptoEncrypt(file: string, passphrase: string, plaintext: string): void {
  python(ENCRYPT, { FILE: file, PASS: passphrase, PLAINTEXT: plaintext })
}
