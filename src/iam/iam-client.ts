import type { IAMClient } from '@aws-sdk/client-iam'
import { AwsCallError } from '../errors.js'
import { maskKey } from '../vault/credentials.js'
import { quietly } from '../vault/sts-client.js'
import type { IamFactory, IamPort, IamTarget } from './iam-port.js'

type Sdk = typeof import('@aws-sdk/client-iam')

/**
 * The real IAM adapter. @aws-sdk/client-iam is imported on the first call, so commands that never
 * touch IAM never load it.
 */
export const sdkIamFactory: IamFactory = (credentials, target) => {
  let clientPromise: Promise<{ client: IAMClient; sdk: Sdk }> | undefined
  const client = () => {
    clientPromise ??= import('@aws-sdk/client-iam').then((sdk) => ({
      sdk,
      client: quietly(
        () =>
          new sdk.IAMClient({
            region: target.region,
            endpoint: target.endpoint,
            credentials: {
              accessKeyId: credentials.accessKeyId,
              secretAccessKey: credentials.secretAccessKey,
              sessionToken: credentials.sessionToken,
            },
            maxAttempts: 5, // throttling is retried with the SDK's standard backoff
          }),
      ),
    }))
    return clientPromise
  }
  const call = async <T>(name: string, fn: (c: { client: IAMClient; sdk: Sdk }) => Promise<T>): Promise<T> => {
    const c = await client()
    try {
      return await fn(c)
    } catch (err) {
      throw mapIamError(name, err, target)
    }
  }
  const port: IamPort = {
    getUser: () =>
      call('GetUser', async ({ client, sdk }) => {
        const out = await client.send(new sdk.GetUserCommand({}))
        return { userName: out.User?.UserName ?? '', arn: out.User?.Arn ?? '' }
      }),
    createAccessKey: (input) =>
      call('CreateAccessKey', async ({ client, sdk }) => {
        const out = await client.send(new sdk.CreateAccessKeyCommand({ UserName: input.userName }))
        const key = out.AccessKey
        if (!key?.AccessKeyId || !key.SecretAccessKey) {
          throw new AwsCallError('CreateAccessKey: IAM returned no access key', 'EmptyResponse')
        }
        return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey }
      }),
    deleteAccessKey: (input) =>
      call('DeleteAccessKey', async ({ client, sdk }) => {
        await client.send(new sdk.DeleteAccessKeyCommand({ UserName: input.userName, AccessKeyId: input.accessKeyId }))
      }),
  }
  return port
}

/** Access key ids inside AWS's own messages ("The Access Key with id AKIA… cannot be found"). */
const keyIdPattern = /\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g

/** Turns an SDK error into one clear line with the AWS error code; access key ids are masked. */
export function mapIamError(operation: string, err: unknown, target: IamTarget): AwsCallError {
  if (err instanceof AwsCallError) return err
  const e = err as { name?: string; Code?: string; message?: string; code?: string }
  const code = e?.Code ?? e?.name ?? 'Unknown'
  const message = (e?.message ?? String(err)).split('\n')[0].replace(keyIdPattern, maskKey)
  const where = target.endpoint ?? 'the IAM endpoint'
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'].includes(e?.code ?? '') ||
    code === 'TimeoutError'
  ) {
    return new AwsCallError(
      `${operation}: cannot reach IAM at ${where} (${e.code ?? code})`,
      'NetworkError',
      'check your network, proxy and AWS_ENDPOINT_URL_IAM',
      { cause: err },
    )
  }
  if (code === 'InvalidClientTokenId' || code === 'SignatureDoesNotMatch') {
    return new AwsCallError(`${operation}: AWS does not accept the access key (${code})`, code, undefined, {
      cause: err,
    })
  }
  if (code === 'AccessDenied' || code === 'AccessDeniedException') {
    return new AwsCallError(
      `${operation}: access denied: ${message}`,
      'AccessDenied',
      'the user needs iam:GetUser, iam:CreateAccessKey and iam:DeleteAccessKey on itself; if its policy requires MFA, set mfa_serial and do not pass --no-session',
      { cause: err },
    )
  }
  return new AwsCallError(`${operation} failed: ${code}: ${message}`, code, undefined, { cause: err })
}
