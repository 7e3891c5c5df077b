import { AwsCallError, CancelledError } from '../../errors.js'
import { printable } from '../../output/printable.js'
import type { Clock, Logger } from '../../runtime/types.js'
import type { ClientRegistration, OidcPort, TokenGrant } from './sso-port.js'

export interface DeviceLoginDeps {
  oidc: OidcPort
  clock: Clock
  log: Logger
  /** Shows the verification URL and code: on /dev/tty when there is one, else on stderr. */
  show(text: string): Promise<void>
  /** Opens the verification URL; undefined with --no-browser / --stdout. */
  openBrowser?: (url: string) => Promise<void>
  sleep(ms: number): Promise<void>
}

/**
 * The longest vault waits for an approval: AWS's device codes live 10 minutes (expiresIn 600 in
 * StartDeviceAuthorization). Processes queued behind this login wait this long, and a little more.
 */
export const deviceLoginLimitMs = 600_000

/**
 * The polling interval vault accepts, in seconds: RFC 8628's default is 5 s and AWS sends 1; an
 * endpoint asking for more than a minute (3,000,000 s would overflow setTimeout, which then fires
 * at once) gets polled once a minute, still within the overall deadline.
 */
export const pollIntervalS = { min: 1, max: 60 } as const

/** `n` when it is a finite number, clamped to [min, max]; `fallback` otherwise. */
export function clamp(n: unknown, min: number, max: number, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback
}

/**
 * OAuth 2.0 device authorization (RFC 8628) against SSO OIDC: StartDeviceAuthorization, show the
 * code, open the browser, then poll CreateToken (device_code grant) every `interval` seconds,
 * 5 s slower after each slow_down, until approval, denial, or the code's expiry. With no terminal
 * (an SDK's credential_process) the code goes to stderr and the wait is the same.
 */
export async function deviceLogin(
  deps: DeviceLoginDeps,
  client: ClientRegistration,
  startUrl: string,
): Promise<TokenGrant> {
  const auth = await deps.oidc.startDeviceAuthorization(client, startUrl)
  const url = auth.verificationUriComplete ?? auth.verificationUri
  const opening = deps.openBrowser
    ? 'Attempting to open the SSO authorization page in your browser.\nIf it does not open, go to'
    : 'To sign in, go to'
  await deps.show(
    `${opening}:\n\n  ${printable(auth.verificationUri)}\n\nand enter the code:\n\n  ${printable(auth.userCode)}\n\n(SSO login for ${printable(startUrl)}; waiting for approval)\n`,
  )
  if (deps.openBrowser) {
    await deps.openBrowser(url).catch((err: Error) => deps.log.debug(`could not open a browser: ${err.message}`))
  }
  // Whatever the endpoint sends (slow_down forever, an interval of years, an expiresIn of 10^18),
  // the wait ends by the device code's expiry, and never later than deviceLoginLimitMs.
  const lifeMs = clamp(auth.expiresIn, 0, deviceLoginLimitMs / 1000, deviceLoginLimitMs / 1000) * 1000
  const deadline = deps.clock.now().getTime() + lifeMs
  let interval = clamp(auth.interval, pollIntervalS.min, pollIntervalS.max, 5)
  for (;;) {
    const left = deadline - deps.clock.now().getTime()
    await deps.sleep(Math.max(0, Math.min(interval * 1000, left)))
    try {
      return await deps.oidc.createTokenWithDeviceCode(client, auth.deviceCode)
    } catch (err) {
      const code = (err as AwsCallError).code
      const pending = code === 'authorization_pending' || code === 'AuthorizationPendingException'
      const slowDown = code === 'slow_down' || code === 'SlowDownException'
      if (pending || slowDown) {
        if (deps.clock.now().getTime() < deadline) {
          if (slowDown) {
            interval = Math.min(interval + 5, pollIntervalS.max)
            deps.log.debug(`SSO OIDC asked to slow down; polling every ${interval}s`)
          }
          continue
        }
      } else if (code === 'access_denied' || code === 'AccessDeniedException') {
        throw new CancelledError(
          `the SSO login for ${startUrl} was denied in the browser`,
          'run the command again to retry',
        )
      } else if (code !== 'expired_token' && code !== 'ExpiredTokenException') {
        throw err
      }
      throw new AwsCallError(
        `the SSO login code ${auth.userCode} expired before it was approved`,
        'expired_token',
        'run the command again and approve the new code',
      )
    }
  }
}
