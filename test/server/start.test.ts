import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AwsCredentials } from '../../src/aws/credentials.js'
import { MfaError, UsageError } from '../../src/errors.js'
import { serverWindowSeconds, startCredentialServer } from '../../src/server/start.js'
import { fixedClock, memoryLogger, profile, recordingSts } from '../fakes/fakes.js'
import { saguaro, send } from './helpers.js'

const noTerminal = () =>
  new MfaError(
    'profile "caktus" needs an MFA code for arn:aws:iam::111111111111:mfa/jon, and there is no terminal to ask on',
    'pass -t/--mfa-token CODE, or set mfa_process in the profile',
  )

function options(fetchProfile: () => Promise<AwsCredentials>, extra: { lazy?: boolean; kind?: 'ecs' | 'ec2' } = {}) {
  const clock = fixedClock()
  const warnings: string[] = []
  return {
    warnings,
    clock,
    o: {
      kind: extra.kind ?? ('ecs' as const),
      profile: saguaro,
      fetchProfile,
      lazy: extra.lazy ?? false,
      sts: recordingSts(clock).factory,
      env: {},
      clock,
      log: memoryLogger(),
      warn: (m: string) => warnings.push(m),
    },
  }
}

const temporary = (clock: { now(): Date }): AwsCredentials => ({
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 's',
  sessionToken: 't',
  expiration: new Date(clock.now().getTime() + 3600_000),
})

describe('starting a credential server (issue 7)', () => {
  it('refreshes 20 minutes before expiry, or AWS_MIN_TTL when that is longer', () => {
    const table: Array<[number, number]> = [
      [0, 1200],
      [300, 1200],
      [1200, 1200],
      [3600, 3600],
    ]
    for (const [minTtl, window] of table)
      assert.equal(serverWindowSeconds(profile('p', { minTtl })), window, `${minTtl}`)
  })

  it('fetches before the command starts, so a failure is an ordinary vault error', async () => {
    const t = options(async () => {
      throw noTerminal()
    })
    await assert.rejects(startCredentialServer(t.o), (err: MfaError) => {
      assert.equal(err.exitCode, 4)
      assert.match(err.hint ?? '', /--mfa-token/) // before the command runs, -t is the right advice
      return true
    })
  })

  it('--lazy: no fetch until the first request', async () => {
    let fetches = 0
    const t = options(
      async () => {
        fetches += 1
        return temporary(t.clock)
      },
      { lazy: true },
    )
    const server = await startCredentialServer(t.o)
    try {
      assert.equal(fetches, 0)
      const vars = Object.fromEntries(server.variables)
      const res = await send(server.url, {
        headers: { Authorization: vars.AWS_CONTAINER_AUTHORIZATION_TOKEN as string },
      })
      assert.equal(res.status, 200)
      assert.equal(fetches, 1)
    } finally {
      await server.close()
    }
  })

  it('refuses long-term keys: SDKs need an expiry to refresh', async () => {
    const t = options(async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's' }))
    await assert.rejects(startCredentialServer(t.o), (err: UsageError) => {
      assert.ok(err instanceof UsageError)
      assert.match(err.message, /temporary credentials only/)
      assert.doesNotMatch(err.message, /AKIA/)
      return true
    })
  })

  it('once running, a missing MFA code answers 500 saying what to run, not "pass -t"', async () => {
    let calls = 0
    const t = options(async () => {
      calls += 1
      if (calls > 1) throw noTerminal()
      return temporary(t.clock)
    })
    const server = await startCredentialServer({ ...t.o, kind: 'ec2' })
    try {
      t.clock.advance(3600)
      const res = await send(server.url, { path: 'latest/meta-data/iam/security-credentials/saguaro' })
      assert.equal(res.status, 500)
      const message = JSON.parse(res.body).Message as string
      assert.match(
        message,
        /needs an MFA code .* no terminal to ask on; run in a terminal: vault exec saguaro -t CODE -- true/,
      )
      assert.doesNotMatch(message, /--mfa-token/)
      assert.equal(t.warnings.length, 1)
      assert.ok(t.warnings[0]?.includes(message))
    } finally {
      await server.close()
    }
  })
})
