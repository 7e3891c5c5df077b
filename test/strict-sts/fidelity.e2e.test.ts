/**
 * The strict STS is faithful: clients nobody here wrote (boto3/botocore 1.43, aws CLI v1 and v2)
 * get from it the errors and credentials they get from AWS. Expected codes and messages are
 * AWS's, from the STS API reference and from what botocore reports against real STS.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { requireCommand, run, type Services, startServices, testKeys } from '../e2e/harness.js'

/** One boto3 call per step; a step signs with the test keys or with credentials an earlier step got. */
interface Step {
  op: string
  params?: Record<string, unknown>
  service?: 'sts' | 'iam'
  creds?: number
  /** Sign with these instead. */
  keys?: { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string }
}
interface Outcome {
  ok: boolean
  status: number
  code?: string
  message?: string
  type?: string
  creds?: { AccessKeyId: string; SessionToken: string; Expiration: string }
}

const driver = `
import boto3, botocore.config, json, os, sys, time
steps = json.load(sys.stdin)
out = []
for s in steps:
    if s['op'] == 'sleep':
        time.sleep(s['params']['seconds'])
        out.append({'ok': True, 'status': 0})
        continue
    keys = s.get('keys') or (out[s['creds']]['creds'] if 'creds' in s else {'AccessKeyId': os.environ['KEY'], 'SecretAccessKey': os.environ['SECRET']})
    client = boto3.client(s.get('service', 'sts'), region_name='us-east-1',
        endpoint_url=os.environ['IAM_URL'] if s.get('service') == 'iam' else os.environ['STS_URL'],
        aws_access_key_id=keys['AccessKeyId'], aws_secret_access_key=keys['SecretAccessKey'],
        aws_session_token=keys.get('SessionToken'),
        # botocore refuses DurationSeconds < 900 itself: let the request reach the server.
        config=botocore.config.Config(parameter_validation=False, retries={'max_attempts': 1}))
    try:
        r = getattr(client, s['op'])(**s.get('params', {}))
        c = r.get('Credentials')
        if c: c['Expiration'] = c['Expiration'].isoformat()  # botocore parsed it into a datetime
        out.append({'ok': True, 'status': r['ResponseMetadata']['HTTPStatusCode'], 'creds': c})
    except client.exceptions.ClientError as e:
        out.append({'ok': False, 'status': e.response['ResponseMetadata']['HTTPStatusCode'],
                    'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'],
                    'type': e.response['Error'].get('Type')})
print(json.dumps(out))
`

const role = (account: string, name = 'Dev') => `arn:aws:iam::${account}:role/${name}`
const mfa = { SerialNumber: 'arn:aws:iam::111111111111:mfa/jon', TokenCode: '123456' }
const chainingMessage =
  'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'

describe('strict STS: boto3 and the aws CLI see what real STS returns (issue 13)', () => {
  let services: Services
  before(async () => {
    requireCommand('aws')
    services = await startServices({ keyring: false })
  })
  after(async () => {
    await services?.stop()
  })

  const boto3 = async (steps: Step[]): Promise<Outcome[]> => {
    const res = await run(['-c', driver], {
      cmd: 'python3',
      input: JSON.stringify(steps),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: services.tmp,
        KEY: testKeys.AWS_ACCESS_KEY_ID,
        SECRET: testKeys.AWS_SECRET_ACCESS_KEY,
        STS_URL: services.sts.url,
        IAM_URL: services.motoUrl,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    })
    assert.equal(res.code, 0, res.stderr)
    return JSON.parse(res.stdout)
  }

  it('aws CLI v1 and v2: get-session-token --duration-seconds 300 fails with STS ValidationError', async () => {
    // Both CLIs check the model's minimum themselves; parameter_validation = false sends the request.
    const config = join(services.tmp, 'cli-config')
    await writeFile(config, '[default]\nregion = us-east-1\nparameter_validation = false\n')
    for (const cli of ['aws', '/usr/bin/aws']) {
      // CLI v2.9 predates AWS_ENDPOINT_URL_STS: name the endpoint on the command line.
      const res = await run(
        ['sts', 'get-session-token', '--duration-seconds', '300', '--endpoint-url', services.sts.url],
        {
          cmd: cli,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: services.tmp,
            AWS_CONFIG_FILE: config,
            AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
            ...testKeys,
          },
        },
      )
      assert.equal(res.code, cli === 'aws' ? 255 : 254, `${cli}: ${res.stderr}`)
      assert.equal(
        res.stderr.trim(),
        "An error occurred (ValidationError) when calling the GetSessionToken operation: 1 validation error detected: Value '300' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
        cli,
      )
    }
  })

  it('GetSessionToken: 900..129600 s, long-term keys only, MFA iff a code was given', async () => {
    await services.sts.reset()
    const [tooShort, tooLong, plain, withMfa, fromSession, fromRole, codeOnly] = await boto3([
      { op: 'get_session_token', params: { DurationSeconds: 300 } },
      { op: 'get_session_token', params: { DurationSeconds: 129601 } },
      { op: 'get_session_token', params: { DurationSeconds: 900 } },
      { op: 'get_session_token', params: { DurationSeconds: 129600, ...mfa } },
      { op: 'get_session_token', creds: 2 },
      { op: 'assume_role', params: { RoleArn: role('111111111111'), RoleSessionName: 'e2e' } },
      { op: 'get_session_token', params: { TokenCode: '123456' } },
    ])
    assert.deepEqual(tooShort, {
      ok: false,
      status: 400,
      type: 'Sender',
      code: 'ValidationError',
      message:
        "1 validation error detected: Value '300' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    })
    assert.equal(
      tooLong.message,
      "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
    )
    // A valid call: botocore parses the credentials, with a temporary (ASIA) key and an expiry 15 min on.
    assert.equal(plain.ok, true)
    assert.match(plain.creds?.AccessKeyId ?? '', /^ASIA[A-Z0-9]{16}$/)
    const lifetime = Date.parse(plain.creds?.Expiration ?? '') - Date.now()
    assert.ok(lifetime > 800_000 && lifetime <= 900_000, `expires in ${lifetime} ms`)
    assert.equal(withMfa.ok, true)
    assert.deepEqual(fromSession, {
      ok: false,
      status: 403,
      type: 'Sender',
      code: 'AccessDenied',
      message: 'Cannot call GetSessionToken with session credentials',
    })
    assert.equal(fromRole.ok, true)
    const [roleSession] = await boto3([
      { op: 'assume_role', params: { RoleArn: role('1'.repeat(12)), RoleSessionName: 'e2e' } },
    ])
    assert.ok(roleSession.ok)
    assert.equal(codeOnly.code, 'AccessDenied')
    assert.match(codeOnly.message ?? '', /^MultiFactorAuthentication failed, unable to validate MFA code/)
    const calls = await services.sts.calls()
    assert.deepEqual(
      calls.slice(0, 7).map((c) => [c.action, c.status, c.issued?.kind, c.issued?.mfa]),
      [
        ['GetSessionToken', 400, undefined, undefined],
        ['GetSessionToken', 400, undefined, undefined],
        ['GetSessionToken', 200, 'session', false],
        ['GetSessionToken', 200, 'session', true],
        ['GetSessionToken', 403, undefined, undefined],
        ['AssumeRole', 200, 'role', false],
        ['GetSessionToken', 403, undefined, undefined],
      ],
    )
    assert.deepEqual(calls[4].caller, {
      accessKeyId: plain.creds?.AccessKeyId,
      keyKind: 'ASIA',
      credentials: 'session',
      mfa: false,
    })
  })

  it('GetSessionToken with role credentials is refused too', async () => {
    const [, fromRole] = await boto3([
      { op: 'assume_role', params: { RoleArn: role('111111111111'), RoleSessionName: 'e2e' } },
      { op: 'get_session_token', creds: 0 },
    ])
    assert.equal(fromRole.status, 403)
    assert.equal(fromRole.message, 'Cannot call GetSessionToken with session credentials')
  })

  it('AssumeRole: chaining (session or role credentials) is capped at 3600 s; keys reach MaxSessionDuration', async () => {
    const arn = role('111111111111')
    const [session, chained, chained1h, roleCreds, roleChained, keys12h, keys1h] = await boto3([
      { op: 'get_session_token', params: mfa },
      { op: 'assume_role', creds: 0, params: { RoleArn: arn, RoleSessionName: 'e2e', DurationSeconds: 3601 } },
      { op: 'assume_role', creds: 0, params: { RoleArn: arn, RoleSessionName: 'e2e', DurationSeconds: 3600 } },
      { op: 'assume_role', params: { RoleArn: arn, RoleSessionName: 'e2e' } },
      { op: 'assume_role', creds: 3, params: { RoleArn: arn, RoleSessionName: 'e2e', DurationSeconds: 7200 } },
      { op: 'assume_role', params: { RoleArn: arn, RoleSessionName: 'e2e', DurationSeconds: 43200 } },
      { op: 'assume_role', params: { RoleArn: arn, RoleSessionName: 'e2e', DurationSeconds: 899 } },
    ])
    assert.ok(session.ok && chained1h.ok && roleCreds.ok)
    for (const refused of [chained, roleChained])
      assert.deepEqual(refused, {
        ok: false,
        status: 400,
        type: 'Sender',
        code: 'ValidationError',
        message: chainingMessage,
      })
    // The role does not exist in moto: its MaxSessionDuration is IAM's default, one hour.
    assert.equal(keys12h.message, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
    assert.equal(
      keys1h.message,
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    )
  })

  it("AssumeRole: MaxSessionDuration and the trust policy's MFA condition are read from moto's IAM", async () => {
    const trust = (condition: object) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', ...condition }],
      })
    const [long, guarded] = await boto3([
      {
        service: 'iam',
        op: 'create_role',
        params: { RoleName: 'Long', AssumeRolePolicyDocument: trust({}), MaxSessionDuration: 7200 },
      },
      {
        service: 'iam',
        op: 'create_role',
        params: {
          RoleName: 'Guarded',
          AssumeRolePolicyDocument: trust({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
        },
      },
    ])
    assert.ok(long.ok && guarded.ok)
    const longArn = role('123456789012', 'Long')
    const guardedArn = role('123456789012', 'Guarded')
    const out = await boto3([
      { op: 'assume_role', params: { RoleArn: longArn, RoleSessionName: 'e2e', DurationSeconds: 7200 } },
      { op: 'assume_role', params: { RoleArn: longArn, RoleSessionName: 'e2e', DurationSeconds: 7201 } },
      { op: 'assume_role', params: { RoleArn: guardedArn, RoleSessionName: 'e2e' } },
      { op: 'assume_role', params: { RoleArn: guardedArn, RoleSessionName: 'e2e', ...mfa } },
      { op: 'get_session_token', params: mfa },
      { op: 'assume_role', creds: 4, params: { RoleArn: guardedArn, RoleSessionName: 'e2e' } },
      { op: 'get_session_token' },
      { op: 'assume_role', creds: 6, params: { RoleArn: guardedArn, RoleSessionName: 'e2e' } },
    ])
    assert.deepEqual(
      out.map((o) => [o.status, o.code]),
      [
        [200, undefined],
        [400, 'ValidationError'],
        [403, 'AccessDenied'],
        [200, undefined],
        [200, undefined],
        [200, undefined], // an MFA session satisfies the condition
        [200, undefined],
        [403, 'AccessDenied'], // a session without MFA does not
      ],
    )
    assert.equal(out[1].message, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
    assert.equal(
      out[2].message,
      `User: arn:aws:sts::123456789012:user/moto is not authorized to perform: sts:AssumeRole on resource: ${guardedArn}`,
    )
  })

  it('a test can declare a role instead: MaxSessionDuration and MFA condition', async () => {
    const arn = role('222222222222', 'Declared')
    await services.sts.role(arn, { maxSessionDuration: 43200, requiresMfa: true })
    const out = await boto3([
      { op: 'assume_role', params: { RoleArn: arn, RoleSessionName: 'e2e', DurationSeconds: 43200, ...mfa } },
      { op: 'assume_role', params: { RoleArn: arn, RoleSessionName: 'e2e' } },
    ])
    assert.deepEqual(
      out.map((o) => o.code),
      [undefined, 'AccessDenied'],
    )
  })

  it('session tags, transitive tag keys and source identity pass through and are recorded', async () => {
    await services.sts.reset()
    await services.recorder.start()
    const [assumed] = await boto3([
      {
        op: 'assume_role',
        params: {
          RoleArn: role('111111111111'),
          RoleSessionName: 'e2e',
          Tags: [
            { Key: 'team', Value: 'web' },
            { Key: 'env', Value: 'dev' },
          ],
          TransitiveTagKeys: ['team'],
          SourceIdentity: 'jon@example.com',
        },
      },
    ])
    assert.ok(assumed.ok)
    const [call] = await services.sts.calls()
    assert.deepEqual(call.tags, { team: 'web', env: 'dev' })
    assert.deepEqual(call.transitiveTagKeys, ['team'])
    assert.equal(call.sourceIdentity, 'jon@example.com')
    assert.deepEqual(await services.recorder.count('AssumeRole'), 1, 'forwarded to moto')
  })

  it('GetFederationToken is refused with session credentials', async () => {
    const [, federated] = await boto3([
      { op: 'get_session_token' },
      { op: 'get_federation_token', creds: 0, params: { Name: 'jon' } },
    ])
    assert.deepEqual(federated, {
      ok: false,
      status: 403,
      type: 'Sender',
      code: 'AccessDenied',
      message: 'Cannot call GetFederationToken with session credentials',
    })
    const [fromKeys] = await boto3([{ op: 'get_federation_token', params: { Name: 'jon', DurationSeconds: 900 } }])
    assert.match(fromKeys.creds?.AccessKeyId ?? '', /^ASIA/)
  })

  it('expired and unknown temporary keys: ExpiredToken and InvalidClientTokenId (HTTP 403)', async () => {
    await services.sts.lifetime({ GetSessionToken: 1 })
    try {
      // The session's whole point here is to expire: the driver waits past its one-second life.
      const [, , expired] = await boto3([
        { op: 'get_session_token' },
        { op: 'sleep', params: { seconds: 1.5 } },
        { op: 'get_caller_identity', creds: 0 },
      ])
      assert.deepEqual(expired, {
        ok: false,
        status: 403,
        type: 'Sender',
        code: 'ExpiredToken',
        message: 'The security token included in the request is expired',
      })
    } finally {
      await services.sts.lifetime({})
    }
    const invalid = {
      ok: false,
      status: 403,
      type: 'Sender',
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid',
    }
    const [session] = await boto3([{ op: 'get_session_token' }])
    const [unknown, withoutToken] = await boto3([
      {
        op: 'get_caller_identity',
        keys: { AccessKeyId: 'ASIAQ3EGUJZ7EXAMPLE0', SecretAccessKey: 'x', SessionToken: 't' },
      },
      { op: 'get_caller_identity', keys: { AccessKeyId: session.creds?.AccessKeyId ?? '', SecretAccessKey: 'x' } },
    ])
    assert.deepEqual(unknown, invalid)
    assert.deepEqual(withoutToken, invalid, 'a session key sent without its token')
  })
})
