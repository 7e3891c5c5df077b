import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { credentialsFilePath, plaintextKeyNames, warnPlaintextCredentials } from '../../src/config/credentials-file.js'
import { ini, recordingLogger } from './helpers.js'

const CREDENTIALS = ini(`
  [default]
  aws_access_key_id = AKIAAAAAAAAAAAAAAAAA
  [dev]
  AWS_Access_Key_Id = AKIABBBBBBBBBBBBBBBB
  aws_secret_access_key = s3cr3t/value
  [empty]
  aws_access_key_id =
  [profile dev]
  region = x
`)

describe('credentials file', () => {
  const rows: Array<[string, string, string[]]> = [
    ['finds both key names, keys case-insensitive', 'dev', ['aws_access_key_id', 'aws_secret_access_key']],
    ['finds one key name', 'default', ['aws_access_key_id']],
    ['an empty value is not a key', 'empty', []],
    ['an absent profile has no keys', 'prod', []],
  ]
  for (const [name, profile, want] of rows)
    test(name, () => assert.deepEqual(plaintextKeyNames(CREDENTIALS, profile), want))

  test('path: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials', () => {
    assert.equal(credentialsFilePath({}, '/home/u'), '/home/u/.aws/credentials')
    assert.equal(credentialsFilePath({ AWS_SHARED_CREDENTIALS_FILE: '/x/creds' }, '/home/u'), '/x/creds')
  })

  test('under --debug, says which file holds plaintext keys, never the keys', async () => {
    const log = recordingLogger()
    const read: string[] = []
    const readText = async (p: string) => {
      read.push(p)
      return CREDENTIALS
    }
    const found = await warnPlaintextCredentials('dev', {
      env: { AWS_SHARED_CREDENTIALS_FILE: '/x/creds' },
      homedir: '/home/u',
      log,
      readText,
    })
    assert.equal(found, true)
    assert.deepEqual(read, ['/x/creds'])
    assert.equal(log.lines.length, 1)
    assert.match(
      log.lines[0] ?? '',
      /^profile "dev": \/x\/creds holds plaintext aws_access_key_id and aws_secret_access_key for it; .*vault add dev/,
    )
    assert.doesNotMatch(log.lines[0] ?? '', /AKIA|s3cr3t/)
  })

  test('reads nothing without --debug, and a missing file is silent', async () => {
    const readText = async () => assert.fail('read while --debug is off')
    const off = { enabled: false, debug: () => assert.fail('logged') }
    assert.equal(await warnPlaintextCredentials('dev', { env: {}, homedir: '/h', log: off, readText }), false)
    const log = recordingLogger()
    const missing = async () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOENT' }))
    assert.equal(await warnPlaintextCredentials('dev', { env: {}, homedir: '/h', log, readText: missing }), false)
    assert.deepEqual(log.lines, [])
  })
})
