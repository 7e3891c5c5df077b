import type { AwsCredentials } from '../aws/credentials.js'

export interface IamUser {
  userName: string
  arn: string
}

/**
 * What vault needs from IAM. The real adapter (iam-client.ts) wraps @aws-sdk/client-iam and maps
 * its errors to AwsCallError; tests pass a fake that keeps users and keys in memory.
 */
export interface IamPort {
  /** The user the signing credentials belong to (no UserName: IAM resolves the caller). */
  getUser(): Promise<IamUser>
  /** A new long-term key for `userName`; its secret is returned once, here. */
  createAccessKey(input: { userName: string }): Promise<AwsCredentials>
  deleteAccessKey(input: { userName: string; accessKeyId: string }): Promise<void>
  /** The ids of every access key of `userName`, active or not. */
  listAccessKeys(input: { userName: string }): Promise<string[]>
}

export interface IamTarget {
  /** IAM is global per partition; the region only picks the partition. */
  region: string
  /** AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL or endpoint_url; the SDK default otherwise. */
  endpoint?: string
}

/** Builds an IamPort that signs with `credentials`. */
export type IamFactory = (credentials: AwsCredentials, target: IamTarget) => IamPort
