import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AwsCallError, MfaError } from '../../src/errors.js'
import { selectMfaSource } from '../../src/mfa/select.js'
import { assumeRoleProvider } from '../../src/vault/assume-role-provider.js'
import type { CredentialProvider } from '../../src/vault/provider.js'
import { sessionTokenProvider } from '../../src/vault/session-token-provider.js'
import { fixedClock, longTermKeys, memoryLogger, mfaSerial, recordingSts } from '../fakes/fakes.js'

const target = { region: 'us-east-1' }
const role = { roleArn: 'arn:aws:iam::222222222222:role/Dev', roleSessionName: 'jon', durationSeconds: 3600 }

/** -t 123456 and no terminal: what `vault exec -t CODE` sees under a pipe or a server. */
const minusT = () =>
  selectMfaSource({
    token: '123456',
    mfaProcessFor: () => undefined,
    env: {},
    hasTerminal: false,
    platform: 'linux',
    log: memoryLogger(),
  })

/** A source whose cached credentials STS calls expired once. */
function cachedSource(): CredentialProvider & { invalidated: number } {
  const source = {
    invalidated: 0,
    description: 'cached session',
    retrieve: async () => ({ ...longTermKeys, sessionToken: 'cached', expiration: new Date('2030-01-01T00:00:00Z') }),
    invalidate: async () => {
      source.invalidated += 1
    },
  }
  return source
}

const expiredOnce = () => {
  let failed = false
  return (op: string) => {
    if (op !== 'AssumeRole' || failed) return undefined
    failed = true
    return new AwsCallError(
      'AssumeRole failed: ExpiredToken: The security token included in the request is expired',
      'ExpiredToken',
    )
  }
}

// issue 15: "needs an MFA code" when STS says ExpiredToken although -t was given.
describe('ExpiredToken with -t (issue 15)', () => {
  it('an AssumeRole refused with ExpiredToken did not use its code: the retry sends the same one', async () => {
    const clock = fixedClock()
    const sts = recordingSts(clock, expiredOnce())
    const source = cachedSource()
    const provider = assumeRoleProvider({
      source,
      profile: 'dev',
      role,
      mfaSerial,
      mfa: minusT(),
      sts: sts.factory,
      target,
      log: memoryLogger(),
    })
    const creds = await provider.retrieve()
    assert.equal(creds.sessionToken, 'token-1')
    assert.equal(source.invalidated, 1)
    assert.deepEqual(
      sts.calls.map((c) => [c.op, (c.input.mfa as { tokenCode?: string } | undefined)?.tokenCode]),
      [
        ['AssumeRole', '123456'],
        ['AssumeRole', '123456'],
      ],
    )
  })

  it('a new session after the -t code was spent says so, and why, in one line', async () => {
    const clock = fixedClock()
    const sts = recordingSts(clock, (op) =>
      op === 'AssumeRole'
        ? new AwsCallError(
            'AssumeRole failed: ExpiredToken: The security token included in the request is expired',
            'ExpiredToken',
          )
        : undefined,
    )
    const mfa = minusT()
    // The MFA session was fetched in this run with the -t code; STS then calls it expired.
    const session = sessionTokenProvider({
      source: { description: 'keys', retrieve: async () => longTermKeys },
      profile: 'caktus',
      durationSeconds: 3600,
      mfaSerial,
      mfa,
      sts: sts.factory,
      target,
      log: memoryLogger(),
    })
    const source = { ...session, invalidate: async () => {} }
    const provider = assumeRoleProvider({
      source,
      profile: 'dev',
      role,
      mfa,
      sts: sts.factory,
      target,
      log: memoryLogger(),
    })
    const err = await provider.retrieve().then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    )
    assert.ok(err instanceof MfaError)
    assert.equal(
      err.message,
      `profile "dev": STS says the source credentials expired (ExpiredToken), and new ones need an MFA code: profile "caktus" needs another MFA code for ${mfaSerial}: the -t/--mfa-token code was used already (AWS takes each code once), and there is no terminal to ask on`,
    )
    assert.match(err.hint ?? '', /run again with the next code .*check the system clock/)
    assert.doesNotMatch(err.message, /\n/)
    assert.deepEqual(sts.ops(), ['GetSessionToken', 'AssumeRole'])
  })

  it('without -t, the usual advice stays: pass -t', async () => {
    const mfa = selectMfaSource({
      mfaProcessFor: () => undefined,
      env: {},
      hasTerminal: false,
      platform: 'linux',
      log: memoryLogger(),
    })
    await assert.rejects(mfa({ serial: mfaSerial, profile: 'caktus' }), (e: MfaError) => {
      assert.match(e.message, /^profile "caktus" needs an MFA code for .*no terminal to ask on$/)
      assert.match(e.hint ?? '', /pass -t\/--mfa-token CODE/)
      return true
    })
  })
})
