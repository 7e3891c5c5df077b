import type { IAMClient } from '@aws-sdk/client-iam'
import { genericAwsError, sdkFailure, transportError } from '../aws/errors.js'
import { type SdkCall, sdkCaller, sdkModule, signingKeys } from '../aws/sdk-adapter.js'
import { AwsCallError } from '../errors.js'
import type { IamFactory, IamPort, IamTarget } from './iam-port.js'

type Sdk = typeof import('@aws-sdk/client-iam')

/**
 * The real IAM adapter, on the shared SDK skeleton (src/aws/sdk-adapter.ts): @aws-sdk/client-iam
 * is imported on the first call, so commands that never touch IAM never load it.
 */
export const sdkIamFactory: IamFactory = (credentials, target) => {
  const call = sdkCaller(
    sdkModule<Sdk>('@aws-sdk/client-iam'),
    (sdk, config) => new sdk.IAMClient(config),
    { region: target.region, endpoint: target.endpoint, credentials: signingKeys(credentials) },
    (operation, err) => mapIamError(operation, err, target),
  )
  return iamPort(call)
}

function iamPort(call: SdkCall<Sdk, IAMClient>): IamPort {
  return {
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
    listAccessKeys: (input) =>
      call('ListAccessKeys', async ({ client, sdk }) => {
        // A user has at most two keys (AWS's quota), so the first page holds them all.
        const out = await client.send(new sdk.ListAccessKeysCommand({ UserName: input.userName }))
        return (out.AccessKeyMetadata ?? []).flatMap((k) => (k.AccessKeyId ? [k.AccessKeyId] : []))
      }),
  }
}

/** Turns an SDK error into one clear line with the AWS error code; access key ids are masked. */
export function mapIamError(operation: string, err: unknown, target: IamTarget): AwsCallError {
  if (err instanceof AwsCallError) return err
  const transport = transportError(operation, err, {
    service: 'IAM',
    where: target.endpoint ?? iamHost(target.region),
    settings: 'AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, endpoint_url',
  })
  if (transport) return transport
  const { code, message } = sdkFailure(err)
  if (code === 'InvalidClientTokenId' || code === 'SignatureDoesNotMatch') {
    return new AwsCallError(`${operation}: AWS does not accept the access key (${code})`, code, undefined, {
      cause: err,
    })
  }
  if (code === 'AccessDenied' || code === 'AccessDeniedException') {
    return new AwsCallError(
      `${operation}: access denied: ${message}`,
      'AccessDenied',
      'the user needs iam:GetUser, iam:CreateAccessKey and iam:DeleteAccessKey on itself (and iam:ListAccessKeys to resume a rotation cut short); if its policy requires MFA, set mfa_serial and do not pass --no-session',
      { cause: err },
    )
  }
  return genericAwsError(operation, err)
}

/** IAM's one endpoint per partition, for messages. */
function iamHost(region: string): string {
  if (region.startsWith('cn-')) return 'iam.cn-north-1.amazonaws.com.cn'
  if (region.startsWith('us-gov-')) return 'iam.us-gov.amazonaws.com'
  return 'iam.amazonaws.com'
}
