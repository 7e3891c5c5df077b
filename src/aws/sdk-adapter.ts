import { createRequire } from 'node:module'
import { sdkClientOptions } from './deadlines.js'

/** Key material as the SDK takes it. */
export interface SigningKeys {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** Where one SDK client sends its calls and what it signs them with. */
export interface ClientPlace {
  region: string
  /** Explicit endpoint; the SDK's default for the region otherwise. */
  endpoint?: string
  /** Signing credentials, or a provider of them; none for a service with its own tokens (SSO). */
  credentials?: SigningKeys | (() => Promise<SigningKeys>)
}

/** What each client is built with: its place, plus vault's deadlines and bounded retries. */
export type ClientConfig = ClientPlace & ReturnType<typeof sdkClientOptions>

/** Runs one operation on the client, with the SDK module at hand for its Command classes. */
export type SdkCall<S, C> = <T>(operation: string, fn: (x: { sdk: S; client: C }) => Promise<T>) => Promise<T>

/**
 * The one skeleton of vault's AWS adapters (STS, IAM, SSO OIDC, the SSO portal): the SDK module
 * is imported and the client built on the first call, so a cache hit loads no SDK (~40 ms of
 * start-up); every client gets the deadlines and bounded retries of src/aws/deadlines.ts; and
 * every failure of a call goes through the service's one error mapper (src/aws/errors.ts words
 * what all services share).
 */
export function sdkCaller<S, C>(
  load: () => Promise<S>,
  build: (sdk: S, config: ClientConfig) => C,
  place: ClientPlace,
  mapError: (operation: string, err: unknown) => Error,
): SdkCall<S, C> {
  let client: Promise<{ sdk: S; client: C }> | undefined
  return async (operation, fn) => {
    client ??= load().then((sdk) => ({ sdk, client: quietly(() => build(sdk, { ...place, ...sdkClientOptions() })) }))
    const x = await client
    try {
      return await fn(x)
    } catch (err) {
      throw mapError(operation, err)
    }
  }
}

/**
 * Loads an SDK client package on first use, with require(): the clients are CommonJS, and import()
 * would have the ESM loader scan each one's source for its export names first (~0.06 CPU-s for
 * client-sts, on every cache miss; issue 27).
 */
export function sdkModule<S>(name: string): () => Promise<S> {
  return async () => createRequire(import.meta.url)(name) as S
}

/** Plain key material for a client, without any other field a credentials object may carry. */
export function signingKeys(c: SigningKeys): SigningKeys {
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }
}

/**
 * The SDK prints a multi-line NodeVersionSupportWarning to stderr when a client is built on
 * Node 20. vault's stderr is for the user, so the warning is disabled while the client is built
 * (the SDK reads the variable only then) and the variable is restored so children never see it.
 */
export function quietly<T>(build: () => T): T {
  const key = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'
  const before = process.env[key]
  process.env[key] = 'true'
  try {
    return build()
  } finally {
    if (before === undefined) delete process.env[key]
    else process.env[key] = before
  }
}
