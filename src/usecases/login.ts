import { consoleDestination, federationEndpoint, partitionOf } from '../login/console-urls.js'
import { loginUrl, requestSigninToken } from '../login/federation.js'
import type { Runtime } from '../runtime/runtime.js'
import { consoleProviderFor } from '../vault/console-provider.js'
import { formatRemaining } from '../vault/provider.js'
import { type CredentialRequest, chainContext, loadProfile } from './get-credentials.js'

export interface LoginRequest extends CredentialRequest {
  /** A console path such as s3/home. */
  path?: string
  /** Print the sign-in URL on stdout instead of opening a browser. */
  stdout: boolean
}

/**
 * `vault login`: signs the browser in to the AWS console with the profile's temporary credentials,
 * through the partition's federation endpoint (or VAULT_FEDERATION_ENDPOINT).
 */
export async function login(rt: Runtime, req: LoginRequest): Promise<void> {
  const profile = await loadProfile(rt, req)
  const chosen = await consoleProviderFor(profile, await chainContext(rt, profile, req))
  const credentials = await chosen.provider.retrieve()
  if (credentials.expiration) {
    rt.log.debug(
      `profile ${profile.name}: console credentials expire in ${formatRemaining(credentials.expiration.getTime() - rt.clock.now().getTime())}`,
    )
  }
  const partition = partitionOf(profile.region)
  const endpoint = federationEndpoint(partition, rt.env.VAULT_FEDERATION_ENDPOINT)
  // --duration made the credentials that long; the console session itself can be set only for a
  // role assumed straight from long-term keys (AWS answers HTTP 400 for role chaining).
  const sessionDuration = chosen.acceptsSessionDuration ? req.duration : undefined
  if (req.duration !== undefined && chosen.kind === 'role' && sessionDuration === undefined) {
    rt.log.debug(
      `profile ${profile.name}: not sending SessionDuration: the role was not assumed straight from long-term keys`,
    )
  }
  const token = await requestSigninToken({ endpoint, credentials, sessionDuration, fetch: rt.fetch, log: rt.log })
  const url = loginUrl(endpoint, consoleDestination(partition, profile.region, req.path), token)
  if (req.stdout) {
    rt.streams.stdout.write(`${url}\n`)
    return
  }
  try {
    await rt.openBrowser(url)
    rt.streams.stderr.write(`Opened the AWS console for profile ${profile.name} in your browser\n`)
  } catch (err) {
    rt.streams.stderr.write(
      `vault: could not open a browser (${(err as Error).message}); open this URL to sign in:\n${url}\n`,
    )
  }
}
