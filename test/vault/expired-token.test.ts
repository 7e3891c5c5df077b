import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { AwsCallError } from '../../src/errors.js'
import { selectMfaSource } from '../../src/mfa/select.js'
import { assumeRoleProvider } from '../../src/vault/assume-role-provider.js'
import type { CredentialProvider } from '../../src/vault/provider.js'
import { fixedClock, longTermKeys, memoryLogger, mfaSerial, recordingSts } from '../fakes/fakes.js'
import { tsNode } from '../loader/run-ts.mjs'

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

  it('a new session after the -t code was spent says so, and why, in one line', () => {
    // In a new session (setsid): no controlling terminal, as under credential_process or a server.
    const res = spawnSync('setsid', ['-w', process.execPath, ...tsNode, '--input-type=module', '-e', spentCode], {
      encoding: 'utf8',
      timeout: 30_000,
    })
    assert.equal(res.status, 0, res.stderr)
    const { name, message, hint, ops } = JSON.parse(res.stdout)
    assert.equal(name, 'MfaError')
    assert.equal(
      message,
      `profile "dev": STS says the source credentials expired (ExpiredToken), and new ones need an MFA code: profile "caktus" needs another MFA code for ${mfaSerial}: the -t/--mfa-token code was used already (AWS takes each code once), and there is no terminal to ask on`,
    )
    assert.match(hint, /run again with the next code .*check the system clock/)
    assert.deepEqual(ops, ['GetSessionToken', 'AssumeRole'])
  })
})

/** The MFA session is fetched in this run with the -t code; STS then calls it expired. */
const src = (path: string) => JSON.stringify(new URL(path, import.meta.url).pathname)
const spentCode = `
import { AwsCallError } from ${src('../../src/errors.ts')}
import { selectMfaSource } from ${src('../../src/mfa/select.ts')}
import { assumeRoleProvider } from ${src('../../src/vault/assume-role-provider.ts')}
import { sessionTokenProvider } from ${src('../../src/vault/session-token-provider.ts')}
import { fixedClock, longTermKeys, memoryLogger, mfaSerial, recordingSts } from ${src('../fakes/fakes.ts')}
const target = { region: 'us-east-1' }
const log = memoryLogger()
const sts = recordingSts(fixedClock(), (op) =>
  op === 'AssumeRole' ? new AwsCallError('AssumeRole failed: ExpiredToken: expired', 'ExpiredToken') : undefined)
const mfa = selectMfaSource({ token: '123456', mfaProcessFor: () => undefined, env: {}, hasTerminal: false, platform: 'linux', log })
const session = sessionTokenProvider({ source: { description: 'keys', retrieve: async () => longTermKeys },
  profile: 'caktus', durationSeconds: 3600, mfaSerial, mfa, sts: sts.factory, target, log })
const provider = assumeRoleProvider({ source: { ...session, invalidate: async () => {} }, profile: 'dev',
  role: { roleArn: 'arn:aws:iam::222222222222:role/Dev', roleSessionName: 'jon', durationSeconds: 3600 },
  mfa, sts: sts.factory, target, log })
try {
  await provider.retrieve()
  console.log('{}')
} catch (e) {
  console.log(JSON.stringify({ name: e.name, message: e.message, hint: e.hint, ops: sts.ops() }))
}
`
