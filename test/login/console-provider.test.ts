import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError } from '../../src/errors.js'
import { consoleProviderFor } from '../../src/vault/console-provider.js'
import { allowAllPolicy, federationName } from '../../src/vault/federation-token-provider.js'
import { chainContext } from '../fakes/chain-fixture.js'
import { longTermKeys, memoryKeys, mfaSerial, profile } from '../fakes/fakes.js'

const serial = mfaSerial
const longUser = 'jonathan.smith-the-third@example.com'

function setup(options: { noSession?: boolean; arn?: string } = {}) {
  const arn = options.arn ?? `arn:aws:iam::111111111111:user/people/${longUser}`
  const { ctx, sts, log } = chainContext({
    noSession: options.noSession,
    // GetCallerIdentity answers with the user's own ARN, and is recorded like the other calls.
    sts: (sts) => (creds, target) => ({
      ...sts.factory(creds, target),
      getCallerIdentity: async () => {
        sts.calls.push({ op: 'GetCallerIdentity', input: {}, signedWith: creds?.accessKeyId, target })
        return { account: '111111111111', arn, userId: 'AIDA' }
      },
    }),
  })
  return { ctx, sts, log }
}

const caktus = profile('caktus', { region: 'us-east-1', mfaSerial: serial })
const role = (name: string, source = caktus, fields = {}) =>
  profile(name, {
    roleArn: `arn:aws:iam::222222222222:role/${name}`,
    source,
    sourceProfileName: source.name,
    mfaSerial: serial,
    ...fields,
  })

describe('console credentials (issue 8)', () => {
  it('a profile with only keys: GetFederationToken with the long-term keys, named after the IAM user cut to 32', async () => {
    const t = setup()
    const chosen = await consoleProviderFor({ ...caktus, federationTokenDuration: 7200 }, t.ctx)
    assert.equal(chosen.kind, 'federation')
    assert.equal(chosen.acceptsSessionDuration, false)
    const creds = await chosen.provider.retrieve()
    assert.ok(creds.sessionToken)
    assert.deepEqual(
      t.sts.ops(),
      ['GetCallerIdentity', 'GetFederationToken'],
      'no GetSessionToken: AWS refuses federation over a session',
    )
    const federation = t.sts.calls[1]
    assert.equal(federation.signedWith, longTermKeys.accessKeyId)
    assert.deepEqual(federation.input, { name: longUser.slice(0, 32), durationSeconds: 7200, policy: allowAllPolicy })
    assert.equal((federation.input.name as string).length, 32)
    assert.deepEqual(JSON.parse(allowAllPolicy), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    })
    assert.ok(t.log.lines.some((l) => l.includes('GetFederationToken cannot carry MFA')))
  })

  it('a role profile: role credentials straight from the chain', async () => {
    const t = setup()
    const chosen = await consoleProviderFor(role('saguaro'), t.ctx)
    assert.equal(chosen.kind, 'role')
    assert.equal(chosen.acceptsSessionDuration, false, 'assumed from an MFA session, not from the keys')
    await chosen.provider.retrieve()
    assert.deepEqual(t.sts.ops(), ['GetSessionToken', 'AssumeRole'])
  })

  const sessionDurationCases: Array<[string, { noSession?: boolean }, () => ReturnType<typeof role>, boolean]> = [
    ['a role assumed straight from the keys (--no-session)', { noSession: true }, () => role('saguaro'), true],
    [
      'a role asking for more than 1 h (assumed from the keys)',
      {},
      () => role('saguaro', caktus, { durationSeconds: 4 * 3600, assumeRoleDuration: 4 * 3600 }),
      true,
    ],
    ['a role over an MFA session', {}, () => role('saguaro'), false],
    ['role chaining, even with --no-session', { noSession: true }, () => role('inner', role('outer')), false],
    [
      'a profile without role_arn over a role',
      {},
      () => profile('alias', { source: role('saguaro'), sourceProfileName: 'saguaro' }),
      false,
    ],
  ]
  for (const [name, options, make, expected] of sessionDurationCases) {
    it(`SessionDuration ${expected ? 'is' : 'is not'} sent for ${name}`, async () => {
      const t = setup(options)
      const chosen = await consoleProviderFor(make(), t.ctx)
      assert.equal(chosen.kind, 'role')
      assert.equal(chosen.acceptsSessionDuration, expected)
    })
  }

  it('a profile without role_arn over a keys profile federates the source keys', async () => {
    const t = setup()
    const chosen = await consoleProviderFor(profile('alias', { source: caktus, sourceProfileName: 'caktus' }), t.ctx)
    assert.equal(chosen.kind, 'federation')
    await chosen.provider.retrieve()
    assert.equal(t.sts.calls[1].signedWith, longTermKeys.accessKeyId)
  })

  it('credential_process with temporary credentials is used as it is; with long-term keys it is federated', async () => {
    const json = (extra: string) =>
      `printf '{"Version":1,"AccessKeyId":"AKIAPROC000000000001","SecretAccessKey":"s"${extra}}'`
    const t = setup()
    const temp = await consoleProviderFor(profile('proc', { credentialProcess: json(',"SessionToken":"tok"') }), t.ctx)
    assert.equal(temp.kind, 'external')
    assert.equal((await temp.provider.retrieve()).sessionToken, 'tok')
    assert.deepEqual(t.sts.ops(), [])
    const keys = await consoleProviderFor(profile('proc', { credentialProcess: json('') }), t.ctx)
    await keys.provider.retrieve()
    assert.deepEqual(t.sts.ops(), ['GetCallerIdentity', 'GetFederationToken'])
    assert.equal(t.sts.calls[1].signedWith, 'AKIAPROC000000000001')
  })

  it('explains that GetFederationToken is impossible with temporary credentials', async () => {
    const t = setup()
    const chosen = await consoleProviderFor(profile('caktus'), {
      ...t.ctx,
      keys: memoryKeys({ caktus: { ...longTermKeys, sessionToken: 'session' } }),
    })
    await assert.rejects(chosen.provider.retrieve(), (err: ConfigError) => {
      assert.ok(err instanceof ConfigError)
      assert.match(
        err.message,
        /GetFederationToken cannot be called with temporary credentials such as a GetSessionToken session/,
      )
      assert.match(err.hint ?? '', /role_arn/)
      return true
    })
    assert.deepEqual(t.sts.ops(), [])
  })

  it('names the federated user from the caller ARN', () => {
    assert.equal(federationName('arn:aws:iam::1:user/jon', 'p'), 'jon')
    assert.equal(federationName('arn:aws:iam::1:user/a/b/jon', 'p'), 'jon')
    assert.equal(federationName('arn:aws-cn:iam::1:user/jon', 'p'), 'jon')
    assert.equal(federationName('arn:aws:iam::1:root', 'p'), 'root')
    assert.throws(
      () => federationName('arn:aws:sts::1:assumed-role/Dev/jon', 'p'),
      /needs the long-term keys of an IAM user/,
    )
  })
})
