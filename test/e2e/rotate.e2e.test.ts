import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { fileRotationJournal } from '../../src/iam/rotation-journal.js'
import { type Home, makeHome, requireCommand, run, type Services, startServices, vault, vaultBin } from './harness.js'
import { type AccessKey, createAccessKey, createUserWithKey, iam, iamKeys } from './iam.js'

/** Profiles named after the test's IAM user: the keyring lives as long as the suite. */
const config = (user: string) => `[profile ${user}]
region = us-east-1

[profile ${user}-role]
source_profile = ${user}
role_arn = arn:aws:iam::123456789012:role/Dev
`
describe('vault rotate, end to end against moto (issue 8)', () => {
  let services: Services
  let home: Home
  let user: string
  let n = 0
  before(async () => {
    requireCommand('aws')
    services = await startServices()
  })
  after(async () => {
    await services?.stop()
  })
  beforeEach(async () => {
    n += 1
    user = `rotator-${n}`
  })
  afterEach(async () => {
    await home?.cleanup()
  })

  // IAM set-up and reads go to moto directly (./iam.ts); the AWS CLI runs where it uses the keys.
  const keyIds = async () => (await iamKeys(services, user)).map((k) => k.id)

  /** A real IAM user in moto with one access key, stored with `vault add --env`. */
  async function userWithStoredKey(extraEnv: Record<string, string> = {}): Promise<AccessKey> {
    home = await makeHome(services, extraEnv)
    await home.writeConfig(config(user))
    const key = await createUserWithKey(services, user)
    const added = await vault(['add', user, '--env'], {
      env: { ...home.env, AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey },
    })
    assert.equal(added.code, 0, added.stderr)
    return key
  }

  /** The key `vault exec` hands out, and who AWS says it belongs to. */
  async function execIdentity(env = home.env) {
    const res = await vault(
      [
        'exec',
        user,
        '--no-session',
        '--',
        'sh',
        '-c',
        'echo $AWS_ACCESS_KEY_ID; aws sts get-caller-identity --query Arn --output text',
      ],
      { env },
    )
    assert.equal(res.code, 0, res.stderr)
    const [keyId, arn] = res.stdout.trim().split('\n')
    return { keyId, arn }
  }

  it('--no-session leaves exactly one access key, the new one, stored, and vault exec works with it', async () => {
    const old = await userWithStoredKey()
    // A cached session made with the old key, for the role profile on the chain.
    const warm = await vault(['exec', `${user}-role`, '--', 'true'], { env: home.env })
    assert.equal(warm.code, 0, warm.stderr)
    await services.recorder.start()

    const res = await vault(['rotate', `${user}-role`, '--no-session'], { env: home.env })
    assert.equal(res.code, 0, res.stderr)
    const calls = await services.recorder.calls()
    assert.deepEqual(
      calls.map((c) => c.action),
      ['GetUser', 'CreateAccessKey', 'DeleteAccessKey'],
    )
    const keys = await keyIds()
    assert.equal(keys.length, 1, 'exactly one key left')
    const [newId] = keys
    assert.notEqual(newId, old.AccessKeyId)
    for (const id of [old.AccessKeyId, newId]) assert.ok(!res.stderr.includes(id), `${id} is masked in: ${res.stderr}`)
    assert.match(res.stderr, new RegExp(`Rotating access key \\*{16}${old.AccessKeyId.slice(-4)} of profile ${user},`))
    // The role over keys without mfa_serial is assumed straight from the keys (aws-vault's
    // primeWithGetSessionToken): its credentials are the only session to remove.
    assert.match(res.stderr, new RegExp(`Removed 1 cached session of profile ${user}-role\n`))
    assert.doesNotMatch(res.stderr, new RegExp(`cached session of profile ${user}\n`))
    assert.match(res.stderr, new RegExp(`Deleted old access key \\*{16}${old.AccessKeyId.slice(-4)}`))
    // Issue 25: the result is the one line on stdout; progress stays on stderr.
    assert.equal(
      res.stdout,
      `Rotated the access key of profile ${user}: ****************${old.AccessKeyId.slice(-4)} is deleted, ****************${newId.slice(-4)} is stored\n`,
    )
    assert.doesNotMatch(res.stderr, /Rotated the access key/)

    assert.equal(new URLSearchParams(calls[1].body).get('UserName'), user)
    assert.equal(new URLSearchParams(calls[2].body).get('AccessKeyId'), old.AccessKeyId)

    // The store holds the new key, and it is the one AWS knows as the user.
    const { keyId, arn } = await execIdentity()
    assert.equal(keyId, newId)
    assert.equal(arn, `arn:aws:iam::123456789012:user/${user}`)
    // Every session on the chain was made with the old key: none is left.
    for (const profile of [user, `${user}-role`]) {
      const cleared = await vault(['clear', profile], { env: home.env })
      assert.equal(cleared.stdout, 'Cleared 0 sessions.\n')
    }
  })

  it('a failure injected while storing the key (a full disk) leaves the old key working and no stray key at IAM', async () => {
    // The encrypted-file backend, with the file size limit at zero for the rotate process only:
    // reading the old key works, writing the new one fails with EFBIG, as on a full disk.
    const old = await userWithStoredKey({ AWS_VAULT_BACKEND: 'file', AWS_VAULT_FILE_PASSPHRASE: 'e2e-passphrase' })
    await services.recorder.start()
    const res = await run(
      ['-c', `ulimit -f 0 && exec "${process.execPath}" "${vaultBin}" rotate ${user} --no-session`],
      {
        env: home.env,
        cmd: 'sh',
      },
    )
    assert.equal(res.code, 69, res.stderr)
    const tail = old.AccessKeyId.slice(-4)
    assert.match(
      res.stderr,
      new RegExp(
        `vault: profile "${user}": could not store the new access key \\(cannot write .*: EFBIG\\); it was deleted at AWS, and the old key \\*{16}${tail} is still stored and works`,
      ),
    )
    assert.deepEqual(
      (await services.recorder.calls()).map((c) => c.action),
      ['GetUser', 'CreateAccessKey', 'DeleteAccessKey'],
    )
    assert.deepEqual(await keyIds(), [old.AccessKeyId], 'no stray key at IAM')
    assert.ok(!res.stderr.includes(old.AccessKeyId))

    const { keyId, arn } = await execIdentity()
    assert.equal(keyId, old.AccessKeyId, 'the old key is still the stored one')
    assert.equal(arn, `arn:aws:iam::123456789012:user/${user}`, 'and AWS still knows it')
  })

  // Issue 28: a rotation killed between CreateAccessKey and storing left its journal; the next
  // rotate, however much later, deleted every key neither stored nor listed before, a key the user
  // had made since for CI among them. Only the key the journal names as created is ever deleted.
  it('after an interrupted rotation, a key the user made since survives the next rotate', async () => {
    const old = await userWithStoredKey()
    // What `vault rotate` killed before storing leaves: its journal naming the key it created.
    const created = await createAccessKey(services, user)
    await fileRotationJournal(join(home.env.HOME, '.awsvault', 'rotations')).write(user, {
      userName: user,
      oldKeyId: old.AccessKeyId,
      createdKeyId: created.AccessKeyId,
    })
    // Since then the user deleted that stray key by hand and made one for CI.
    await iam(services, 'DeleteAccessKey', { UserName: user, AccessKeyId: created.AccessKeyId })
    const ci = await createAccessKey(services, user)
    await services.recorder.start()

    const res = await vault(['rotate', user, '--no-session'], { env: home.env })
    assert.equal(res.code, 5, res.stderr) // AwsCallError: LimitExceeded, as before the fix
    assert.match(res.stderr, new RegExp(`Left access key \\*{16}${ci.AccessKeyId.slice(-4)} of IAM user ${user} alone`))
    assert.match(res.stderr, new RegExp(`IAM user "${user}" already has two access keys`))
    assert.ok(!res.stderr.includes(ci.AccessKeyId), 'the CI key is masked')
    assert.deepEqual((await keyIds()).sort(), [old.AccessKeyId, ci.AccessKeyId].sort(), 'the CI key survives')
    const deletes = (await services.recorder.calls()).filter((c) => c.action === 'DeleteAccessKey')
    assert.deepEqual(
      deletes.map((c) => new URLSearchParams(c.body).get('AccessKeyId')),
      [created.AccessKeyId],
      'only the key the rotation created is deleted (already gone: NoSuchEntity)',
    )
  })

  it('after a rotation killed before storing, the next rotate deletes the key it created and rotates', async () => {
    const old = await userWithStoredKey()
    const created = await createAccessKey(services, user)
    await fileRotationJournal(join(home.env.HOME, '.awsvault', 'rotations')).write(user, {
      userName: user,
      oldKeyId: old.AccessKeyId,
      createdKeyId: created.AccessKeyId,
    })
    const res = await vault(['rotate', user, '--no-session'], { env: home.env })
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stderr, /an interrupted rotation created it and never stored it/)
    const keys = await keyIds()
    assert.equal(keys.length, 1)
    assert.ok(![old.AccessKeyId, created.AccessKeyId].includes(keys[0]), 'one key left: the new, stored one')
    assert.equal((await execIdentity()).keyId, keys[0])
  })

  it('explains when the profile has no stored keys, and calls nothing', async () => {
    home = await makeHome(services)
    await home.writeConfig(config(user))
    await services.recorder.start()
    const res = await vault(['rotate', `${user}-role`], { env: home.env })
    assert.equal(res.code, 3)
    assert.equal(
      res.stderr,
      `vault: profile "${user}-role": source profile "${user}" has no long-term keys in the keychain to rotate; vault rotates keys stored with: vault add ${user}\n`,
    )
    assert.deepEqual(await services.recorder.calls(), [])
  })
})
