import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ykmanArgs } from '../../src/mfa/ykman.js'

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
