import { parentRequester } from '../audit/requester.js'
import type { AwsCredentials } from '../aws/credentials.js'
import { DEFAULT_DURATIONS } from '../config/resolve.js'
import type { ResolvedProfile } from '../config/types.js'
import { UsageError } from '../errors.js'
import {
  consoleDestination,
  federationEndpoint,
  partitionOf,
  signOutEndpoint,
  signOutThen,
} from '../login/console-urls.js'
import { loginUrl, requestSigninToken } from '../login/federation.js'
import { consoleProviderFor } from '../vault/console-provider.js'
import { federationTokenProvider } from '../vault/federation-token-provider.js'
import type { ObtainStep } from '../vault/hand-out.js'
import { formatRemaining } from '../vault/provider.js'
import type { StsTarget } from '../vault/sts-port.js'
import {
  type ChainDeps,
  type CredentialRequest,
  chainContext,
  type LoadProfileDeps,
  loadProfile,
} from './get-credentials.js'
import type { Ports } from './ports.js'

export interface LoginRequest extends Omit<CredentialRequest, 'profile'> {
  /** Omitted: AWS_PROFILE, else the credentials in the environment (ByteNess aws-vault). */
  profile?: string
  /** A console path such as s3/home. */
  path?: string
  /** Print the sign-in URL on stdout instead of opening a browser. */
  stdout: boolean
  /** Sign out of any console session first, then sign in (ByteNess aws-vault --auto-logout). */
  autoLogout?: boolean
}

/** The chain (for a profile), STS (for the environment's keys), HTTP to the federation endpoint, a browser. */
export type LoginDeps = LoadProfileDeps & ChainDeps & Pick<Ports, 'fetch' | 'openBrowser' | 'handOuts'>

/**
 * `vault login`: signs the browser in to the AWS console with the profile's temporary credentials,
 * through the partition's federation endpoint (or VAULT_FEDERATION_ENDPOINT).
 */
export async function login(rt: LoginDeps, req: LoginRequest): Promise<void> {
  const name = req.profile || rt.env.AWS_PROFILE
  const signIn = name ? await fromProfile(rt, { ...req, profile: name }) : await fromEnvironment(rt, req)
  const { credentials, region, sessionDuration, label } = signIn
  if (credentials.expiration) {
    rt.log.debug(
      `${label}: console credentials expire in ${formatRemaining(credentials.expiration.getTime() - rt.clock.now().getTime())}`,
    )
  }
  const partition = partitionOf(region)
  const endpoint = federationEndpoint(partition, rt.env.VAULT_FEDERATION_ENDPOINT)
  const signOut = req.autoLogout ? signOutEndpoint(partition, rt.env.VAULT_FEDERATION_ENDPOINT) : undefined
  const token = await requestSigninToken({ endpoint, credentials, sessionDuration, fetch: rt.fetch, log: rt.log })
  const signInUrl = loginUrl(endpoint, consoleDestination(partition, region, req.path), token)
  const url = signOut ? signOutThen(signOut, signInUrl) : signInUrl
  // The URL signs its holder in: a hand-out to whoever ran vault login (the environment's own
  // credentials were not vault's to hand out, and have no profile to record).
  if (signIn.profile) {
    const { profile, steps = [] } = signIn
    await rt.handOuts.record({
      kind: 'login',
      profile,
      credentials,
      steps,
      servedBy: 'direct',
      requester: parentRequester(),
    })
  }
  if (req.stdout) {
    rt.streams.stdout.write(`${url}\n`)
    return
  }
  try {
    await rt.openBrowser(url)
    rt.streams.stderr.write(`Opened the AWS console for ${label} in your browser\n`)
  } catch (err) {
    rt.streams.stderr.write(
      `vault: could not open a browser (${(err as Error).message}); open this URL to sign in:\n${url}\n`,
    )
  }
}

interface SignIn {
  credentials: AwsCredentials
  region?: string
  /** The console session length to ask for, where AWS accepts one. */
  sessionDuration?: number
  /** `profile NAME`, or `the credentials in the environment`: for messages. */
  label: string
  /** The profile signed in with, and how its credentials were obtained; none for the environment's. */
  profile?: ResolvedProfile
  steps?: ObtainStep[]
}

async function fromProfile(rt: LoginDeps, req: LoginRequest & { profile: string }): Promise<SignIn> {
  const profile = await loadProfile(rt, req)
  const steps: ObtainStep[] = []
  const ctx = { ...(await chainContext(rt, profile, req)), trace: (s: ObtainStep) => steps.push(s) }
  const chosen = await consoleProviderFor(profile, ctx)
  const credentials = await chosen.provider.retrieve()
  // --duration made the credentials that long; the console session itself can be set only for a
  // role assumed straight from long-term keys (AWS answers HTTP 400 for role chaining).
  const sessionDuration = chosen.acceptsSessionDuration ? req.duration : undefined
  if (req.duration !== undefined && chosen.kind === 'role' && sessionDuration === undefined) {
    rt.log.debug(
      `profile ${profile.name}: not sending SessionDuration: the role was not assumed straight from long-term keys`,
    )
  }
  return { credentials, region: profile.region, sessionDuration, label: `profile ${profile.name}`, profile, steps }
}

/**
 * `vault login` with no profile and no AWS_PROFILE signs in with AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, as ByteNess aws-vault's login does (cli/login.go
 * getCredsProvider): role credentials as they are, anything else through GetFederationToken.
 * Where aws-vault opens a profile picker for an environment without keys, vault asks for a profile.
 */
async function fromEnvironment(rt: Pick<Ports, 'env' | 'stsFactory' | 'log'>, req: LoginRequest): Promise<SignIn> {
  const label = 'the credentials in the environment'
  const accessKeyId = rt.env.AWS_ACCESS_KEY_ID
  const secretAccessKey = rt.env.AWS_SECRET_ACCESS_KEY
  if (!accessKeyId || !secretAccessKey) {
    throw new UsageError(
      'vault login needs a profile, or credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      'name one: vault login PROFILE',
    )
  }
  const given: AwsCredentials = { accessKeyId, secretAccessKey }
  if (rt.env.AWS_SESSION_TOKEN) given.sessionToken = rt.env.AWS_SESSION_TOKEN
  const region = req.region ?? (rt.env.AWS_REGION || rt.env.AWS_DEFAULT_REGION || undefined)
  const endpoint =
    rt.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
      ? undefined
      : (rt.env.AWS_ENDPOINT_URL_STS ?? rt.env.AWS_ENDPOINT_URL)
  const target: StsTarget = { region: region ?? 'us-east-1', endpoint }
  if (given.sessionToken) {
    // aws-vault's isCallerIdentityAssumedRole: the console takes role (and federated-user) sessions as they are.
    const arn = (await rt.stsFactory(given, target).getCallerIdentity()).arn
    const kind = arn.split(':').slice(5).join(':').split('/')[0]
    rt.log.debug(`login: the credentials in the environment belong to ${arn}`)
    if (kind === 'assumed-role' || kind === 'federated-user') return { credentials: given, region, label }
  }
  const credentials = await federationTokenProvider({
    source: { description: label, retrieve: async () => given },
    profile: 'environment',
    durationSeconds: req.duration ?? DEFAULT_DURATIONS.federationToken,
    sts: rt.stsFactory,
    target,
    log: rt.log,
  }).retrieve()
  return { credentials, region, label }
}
