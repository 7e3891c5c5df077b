import type { STSClient } from '@aws-sdk/client-sts'
import type { AwsCredentials } from '../aws/credentials.js'
import { sdkClientOptions } from '../aws/deadlines.js'
import { genericAwsError, sdkFailure, transportError } from '../aws/errors.js'
import { AwsCallError } from '../errors.js'
import type { StsFactory, StsPort, StsTarget } from './sts-port.js'

/**
 * The real STS adapter. @aws-sdk/client-sts is imported lazily on the first call so that
 * cache hits never load the SDK (it costs ~40 ms of start-up).
 */
export const sdkStsFactory: StsFactory = (credentials, target) => {
  let clientPromise: Promise<{ client: STSClient; sdk: typeof import('@aws-sdk/client-sts') }> | undefined
  const client = () => {
    clientPromise ??= import('@aws-sdk/client-sts').then((sdk) => ({
      sdk,
      client: quietly(
        () =>
          new sdk.STSClient({
            region: target.region,
            endpoint: target.endpoint ?? (target.useGlobalEndpoint ? 'https://sts.amazonaws.com' : undefined),
            credentials: credentials
              ? {
                  accessKeyId: credentials.accessKeyId,
                  secretAccessKey: credentials.secretAccessKey,
                  sessionToken: credentials.sessionToken,
                }
              : // AssumeRoleWithWebIdentity is unsigned; the SDK still wants a provider.
                async () => ({ accessKeyId: '', secretAccessKey: '' }),
            // Deadlines and bounded retries (throttling, 5xx, timeouts) with the SDK's backoff.
            ...sdkClientOptions(),
          }),
      ),
    }))
    return clientPromise
  }
  const call = async <T>(name: string, fn: (c: Awaited<ReturnType<typeof client>>) => Promise<T>): Promise<T> => {
    const c = await client()
    try {
      return await fn(c)
    } catch (err) {
      throw mapStsError(name, err, target)
    }
  }
  const port: StsPort = {
    getSessionToken: (input) =>
      call('GetSessionToken', async ({ client, sdk }) => {
        const out = await client.send(
          new sdk.GetSessionTokenCommand({
            DurationSeconds: input.durationSeconds,
            SerialNumber: input.mfa?.serialNumber,
            TokenCode: input.mfa?.tokenCode,
          }),
        )
        return toCredentials(out.Credentials)
      }),
    assumeRole: (input) =>
      call('AssumeRole', async ({ client, sdk }) => {
        const out = await client.send(
          new sdk.AssumeRoleCommand({
            RoleArn: input.roleArn,
            RoleSessionName: input.roleSessionName,
            DurationSeconds: input.durationSeconds,
            ExternalId: input.externalId,
            SerialNumber: input.mfa?.serialNumber,
            TokenCode: input.mfa?.tokenCode,
            Tags: input.sessionTags
              ? Object.entries(input.sessionTags).map(([Key, Value]) => ({ Key, Value }))
              : undefined,
            TransitiveTagKeys: input.transitiveTagKeys,
            SourceIdentity: input.sourceIdentity,
          }),
        )
        return toCredentials(out.Credentials)
      }),
    assumeRoleWithWebIdentity: (input) =>
      call('AssumeRoleWithWebIdentity', async ({ client, sdk }) => {
        const out = await client.send(
          new sdk.AssumeRoleWithWebIdentityCommand({
            RoleArn: input.roleArn,
            RoleSessionName: input.roleSessionName,
            DurationSeconds: input.durationSeconds,
            WebIdentityToken: input.webIdentityToken,
          }),
        )
        return toCredentials(out.Credentials)
      }),
    getFederationToken: (input) =>
      call('GetFederationToken', async ({ client, sdk }) => {
        const out = await client.send(
          new sdk.GetFederationTokenCommand({
            Name: input.name,
            DurationSeconds: input.durationSeconds,
            Policy: input.policy,
          }),
        )
        return toCredentials(out.Credentials)
      }),
    getCallerIdentity: () =>
      call('GetCallerIdentity', async ({ client, sdk }) => {
        const out = await client.send(new sdk.GetCallerIdentityCommand({}))
        return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' }
      }),
  }
  return port
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

function toCredentials(
  c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined,
): AwsCredentials {
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new AwsCallError('STS returned no credentials', 'EmptyResponse')
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
  }
}

/** Where a call to `target` goes, for messages. */
export function stsEndpoint(target: StsTarget): string {
  return (
    target.endpoint ?? (target.useGlobalEndpoint ? 'https://sts.amazonaws.com' : `sts.${target.region}.amazonaws.com`)
  )
}

/** Turns an SDK error into one clear line with the AWS error code and what to do. */
export function mapStsError(operation: string, err: unknown, target: StsTarget): AwsCallError {
  if (err instanceof AwsCallError) return err
  const where = stsEndpoint(target)
  const transport = transportError(operation, err, {
    service: 'STS',
    where,
    settings: 'endpoint_url, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, sts_regional_endpoints',
  })
  if (transport) return transport
  const { code, message } = sdkFailure(err)
  if (code === 'InvalidClientTokenId' || code === 'UnrecognizedClientException') {
    return new AwsCallError(
      `${operation}: AWS does not recognise the access key (${code})`,
      code,
      'the key was deleted or rotated; store a working key with: vault add PROFILE',
      { cause: err },
    )
  }
  if (code === 'SignatureDoesNotMatch') {
    return new AwsCallError(
      `${operation}: the secret access key is wrong (${code})`,
      code,
      'store the right key with: vault add PROFILE',
      { cause: err },
    )
  }
  if (code === 'AccessDenied' && /MultiFactorAuthentication|MFA|token code/i.test(message)) {
    return new AwsCallError(
      `${operation}: the MFA code was rejected (wrong, expired or already used): ${message}`,
      'MfaRejected',
      'wait for the next code and try again',
      { cause: err },
    )
  }
  if (code === 'ValidationError' && /serialNumber|SerialNumber/.test(message)) {
    return new AwsCallError(
      `${operation}: mfa_serial is not a valid MFA device ARN: ${message}`,
      code,
      'set mfa_serial to arn:aws:iam::ACCOUNT:mfa/NAME (not the user ARN)',
      { cause: err },
    )
  }
  return genericAwsError(operation, err)
}
