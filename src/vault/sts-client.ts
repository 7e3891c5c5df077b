import type { STSClient } from '@aws-sdk/client-sts'
import type { AwsCredentials } from '../aws/credentials.js'
import { genericAwsError, sdkFailure, transportError } from '../aws/errors.js'
import { type SdkCall, sdkCaller, sdkModule, signingKeys } from '../aws/sdk-adapter.js'
import { AwsCallError } from '../errors.js'
import type { AssumeRoleInput, StsFactory, StsPort, StsTarget } from './sts-port.js'

type Sdk = typeof import('@aws-sdk/client-sts')
type Sts = { sdk: Sdk; client: STSClient }

/** Where sts_regional_endpoints = legacy sends the us-east-1 family. */
const globalEndpoint = 'https://sts.amazonaws.com'

/**
 * The real STS adapter, on the shared SDK skeleton (src/aws/sdk-adapter.ts): @aws-sdk/client-sts
 * is imported on the first call, so cache hits never load it.
 */
export const sdkStsFactory: StsFactory = (credentials, target) => {
  const place = {
    region: target.region,
    endpoint: target.endpoint ?? (target.useGlobalEndpoint ? globalEndpoint : undefined),
    // AssumeRoleWithWebIdentity is unsigned; the SDK still wants a provider.
    credentials: credentials ? signingKeys(credentials) : async () => ({ accessKeyId: '', secretAccessKey: '' }),
  }
  const call = sdkCaller(
    sdkModule<Sdk>('@aws-sdk/client-sts'),
    (sdk, config) => new sdk.STSClient(config),
    place,
    (operation, err) => mapStsError(operation, err, target),
  )
  return stsPort(call)
}

function stsPort(call: SdkCall<Sdk, STSClient>): StsPort {
  return {
    getSessionToken: (input) => call('GetSessionToken', (sts) => getSessionToken(sts, input)),
    assumeRole: (input) => call('AssumeRole', (sts) => assumeRole(sts, input)),
    assumeRoleWithWebIdentity: (input) =>
      call('AssumeRoleWithWebIdentity', (sts) => assumeRoleWithWebIdentity(sts, input)),
    getFederationToken: (input) => call('GetFederationToken', (sts) => getFederationToken(sts, input)),
    getCallerIdentity: () => call('GetCallerIdentity', getCallerIdentity),
  }
}

async function getSessionToken({ sdk, client }: Sts, input: Parameters<StsPort['getSessionToken']>[0]) {
  const out = await client.send(
    new sdk.GetSessionTokenCommand({
      DurationSeconds: input.durationSeconds,
      SerialNumber: input.mfa?.serialNumber,
      TokenCode: input.mfa?.tokenCode,
    }),
  )
  return toCredentials(out.Credentials)
}

async function assumeRole({ sdk, client }: Sts, input: AssumeRoleInput) {
  const out = await client.send(
    new sdk.AssumeRoleCommand({
      RoleArn: input.roleArn,
      RoleSessionName: input.roleSessionName,
      DurationSeconds: input.durationSeconds,
      ExternalId: input.externalId,
      SerialNumber: input.mfa?.serialNumber,
      TokenCode: input.mfa?.tokenCode,
      Tags: input.sessionTags ? Object.entries(input.sessionTags).map(([Key, Value]) => ({ Key, Value })) : undefined,
      TransitiveTagKeys: input.transitiveTagKeys,
      SourceIdentity: input.sourceIdentity,
    }),
  )
  return toCredentials(out.Credentials)
}

async function assumeRoleWithWebIdentity(
  { sdk, client }: Sts,
  input: Parameters<StsPort['assumeRoleWithWebIdentity']>[0],
) {
  const out = await client.send(
    new sdk.AssumeRoleWithWebIdentityCommand({
      RoleArn: input.roleArn,
      RoleSessionName: input.roleSessionName,
      DurationSeconds: input.durationSeconds,
      WebIdentityToken: input.webIdentityToken,
    }),
  )
  return toCredentials(out.Credentials)
}

async function getFederationToken({ sdk, client }: Sts, input: Parameters<StsPort['getFederationToken']>[0]) {
  const out = await client.send(
    new sdk.GetFederationTokenCommand({
      Name: input.name,
      DurationSeconds: input.durationSeconds,
      Policy: input.policy,
    }),
  )
  return toCredentials(out.Credentials)
}

async function getCallerIdentity({ sdk, client }: Sts) {
  const out = await client.send(new sdk.GetCallerIdentityCommand({}))
  return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' }
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
  return target.endpoint ?? (target.useGlobalEndpoint ? globalEndpoint : `sts.${target.region}.amazonaws.com`)
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
