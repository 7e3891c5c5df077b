import assert from 'node:assert/strict'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { selectMfaSource } from '../../src/mfa/select.js'
import { ykmanArgs } from '../../src/mfa/ykman.js'
import { memoryLogger } from '../fakes/fakes.js'

const serial = 'arn:aws:iam::111111111111:mfa/jon'

// Each row from ByteNess aws-vault v7.13 prompt/ykman.go YkmanMfaProvider and docs/content/docs/yubikey.md.
describe('ykman arguments (issue 14)', () => {
  const rows: Array<{ name: string; env: Record<string, string>; args: string[] }> = [
    {
      name: 'default: ykman 4, the account is the MFA serial',
      env: {},
      args: ['oath', 'accounts', 'code', '--single', serial],
    },
    {
      name: 'YKMAN_OATH_CREDENTIAL_NAME names another account',
      env: { YKMAN_OATH_CREDENTIAL_NAME: 'aws-jon' },
      args: ['oath', 'accounts', 'code', '--single', 'aws-jon'],
    },
    {
      name: 'YKMAN_OATH_DEVICE_SERIAL picks the YubiKey with --device, before the subcommand',
      env: { YKMAN_OATH_DEVICE_SERIAL: '12345678' },
      args: ['--device', '12345678', 'oath', 'accounts', 'code', '--single', serial],
    },
    ...['1', '2', '3'].map((v) => ({
      name: `AWS_VAULT_YKMAN_VERSION=${v}: ykman 3's oath code`,
      env: { AWS_VAULT_YKMAN_VERSION: v },
      args: ['oath', 'code', '--single', serial],
    })),
    {
      name: 'AWS_VAULT_YKMAN_VERSION=4 (or anything else): oath accounts code',
      env: { AWS_VAULT_YKMAN_VERSION: '4' },
      args: ['oath', 'accounts', 'code', '--single', serial],
    },
  ]
  for (const row of rows) {
    it(row.name, () => assert.deepEqual(ykmanArgs(serial, row.env), row.args))
  }
})

// The mutation this pins (issue 25): the driver asking ykman for the profile name. aws-vault
// prompt/ykman.go YkmanMfaProvider passes the mfa serial as the OATH account (`--single mfaSerial`).
describe('the ykman driver asks for the MFA serial, not the profile (issue 25)', () => {
  let bin: string
  before(async () => {
    bin = await mkdtemp(join(tmpdir(), 'vault-ykman-'))
    await writeFile(join(bin, 'ykman'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${bin}/argv"\necho 654321\n`)
    await chmod(join(bin, 'ykman'), 0o755)
  })
  after(async () => {
    await rm(bin, { recursive: true, force: true })
  })

  it('--prompt ykman runs `ykman oath accounts code --single SERIAL` and returns its code', async () => {
    const mfa = selectMfaSource({
      driver: 'ykman',
      mfaProcessFor: () => undefined,
      env: { PATH: bin },
      hasTerminal: false,
      platform: 'linux',
      log: memoryLogger(),
    })
    assert.equal(await mfa({ serial, profile: 'caktus' }), '654321')
    assert.equal(await readFile(join(bin, 'argv'), 'utf8'), `oath\naccounts\ncode\n--single\n${serial}\n`)
  })
})
