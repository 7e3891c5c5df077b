import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ConfigError } from '../../src/errors.js'
import { providerFor } from '../../src/vault/chain.js'
import { chainContext } from '../fakes/chain-fixture.js'
import { profile } from '../fakes/fakes.js'

const roleArn = 'arn:aws:iam::111111111111:role/ci'
// A JWT's shape; STS only forwards it to the identity provider.
const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl'

function setup() {
  const { ctx, sts } = chainContext({
    keys: [],
    mfa: async () => assert.fail('web identity never asks for MFA'),
    env: { PATH: process.env.PATH, USER: 'jon' },
  })
  return { ctx, sts }
}

// aws-vault vault/assumerolewithwebidentityprovider.go: the token comes from web_identity_token_file,
// else from web_identity_token_process; the call is unsigned. Nothing tested this (issue 15).
describe('web identity (issue 15)', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-web-identity-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const retrieve = async (fields: Parameters<typeof profile>[1]) => {
    const t = setup()
    const creds = await (await providerFor(profile('ci', { roleArn, ...fields }), t.ctx)).retrieve()
    return { creds, t }
  }

  it('web_identity_token_file: the token, trimmed, in an unsigned AssumeRoleWithWebIdentity; cached', async () => {
    const file = join(dir, 'token')
    await writeFile(file, `${jwt}\n`)
    const t = setup()
    const p = profile('ci', { roleArn, webIdentityTokenFile: file, roleSessionName: 'ci-run' })
    const creds = await (await providerFor(p, t.ctx)).retrieve()
    assert.equal(creds.sessionToken, 'token-1')
    assert.deepEqual(t.sts.calls, [
      {
        op: 'AssumeRoleWithWebIdentity',
        input: { roleArn, roleSessionName: 'ci-run', durationSeconds: 3600, webIdentityToken: jwt },
        signedWith: undefined,
        target: t.sts.calls[0]?.target,
      },
    ])
    await (await providerFor(p, t.ctx)).retrieve()
    assert.equal(t.sts.calls.length, 1, 'the second retrieve is a cache hit')
  })

  it('web_identity_token_process: its stdout, trimmed, is the token', async () => {
    const { t } = await retrieve({ webIdentityTokenProcess: `printf '%s\\n' ${jwt}` })
    assert.equal(t.sts.calls[0]?.input.webIdentityToken, jwt)
  })

  it('the file wins over the process, as in aws-vault', async () => {
    const file = join(dir, 'token-wins')
    await writeFile(file, jwt)
    const { t } = await retrieve({ webIdentityTokenFile: file, webIdentityTokenProcess: 'echo other' })
    assert.equal(t.sts.calls[0]?.input.webIdentityToken, jwt)
  })

  const failures: Array<[string, () => Promise<Parameters<typeof profile>[1]>, string]> = [
    [
      'an empty token file',
      async () => {
        const file = join(dir, 'empty')
        await writeFile(file, '\n')
        return { webIdentityTokenFile: file }
      },
      `profile "ci": web_identity_token_file ${'DIR'}/empty is empty`,
    ],
    [
      'a process that prints nothing',
      async () => ({ webIdentityTokenProcess: 'true' }),
      'profile "ci": web_identity_token_process printed no token',
    ],
    [
      'a failing process',
      async () => ({ webIdentityTokenProcess: 'exit 4' }),
      'profile "ci": web_identity_token_process failed (exit 4)',
    ],
    [
      'a missing file',
      async () => ({ webIdentityTokenFile: join(dir, 'missing') }),
      `profile "ci": cannot read web_identity_token_file ${'DIR'}/missing (ENOENT)`,
    ],
  ]
  for (const [name, fields, message] of failures) {
    it(`${name} is a clear error and no STS call`, async () => {
      const t = setup()
      const p = profile('ci', { roleArn, ...(await fields()) })
      await assert.rejects((await providerFor(p, t.ctx)).retrieve(), (e: ConfigError) => {
        assert.ok(e instanceof ConfigError)
        assert.equal(e.message, message.replace('DIR', dir))
        assert.ok(e.hint)
        return true
      })
      assert.deepEqual(t.sts.calls, [])
    })
  }
})
