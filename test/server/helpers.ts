/** Helpers for server tests: a raw HTTP client (fetch cannot set Host) and a served chain over fakes. */
import { request } from 'node:http'
import type { MfaSource } from '../../src/mfa/mfa-source.js'
import { CredentialCache } from '../../src/server/credential-cache.js'
import { servedCredentials } from '../../src/server/served-credentials.js'
import { providerFor } from '../../src/vault/chain.js'
import { chainContext } from '../fakes/chain-fixture.js'
import { mfaSerial, profile } from '../fakes/fakes.js'

export interface Response {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; path?: string } = {},
): Promise<Response> {
  const u = new URL(options.path ?? '', url)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

export const serial = mfaSerial
export const caktus = profile('caktus', { mfaSerial: serial, region: 'eu-west-1' })
export const saguaro = profile('saguaro', {
  roleArn: 'arn:aws:iam::222222222222:role/Dev',
  source: caktus,
  sourceProfileName: 'caktus',
  mfaSerial: serial,
  region: 'eu-west-1',
})

/**
 * The real credential chain for `saguaro` (a role over caktus's MFA session) over memory stores,
 * a recording STS and a clock the test moves, behind the servers' cache: what `vault exec
 * --ecs-server saguaro` serves, minus the keychain and the network.
 */
export function servedChain(options: { mfa?: MfaSource; windowSeconds?: number } = {}) {
  const windowSeconds = options.windowSeconds ?? 300
  const { ctx, clock, sts, log, prompts } = chainContext({ mfa: options.mfa, env: { USER: 'jon' }, windowSeconds })
  const chain = providerFor(saguaro, ctx)
  const cache = new CredentialCache({ clock, log, windowSeconds })
  const credentials = servedCredentials(cache, async () => (await chain).retrieve(), {
    sts: sts.factory,
    target: { region: 'eu-west-1' },
    roleSessionName: 'jon',
    durationSeconds: 3600,
    log,
  })
  return { credentials, clock, sts, log, prompts }
}
