import type { AwsCredentials } from '../aws/credentials.js'

export interface MfaInput {
  serialNumber: string
  tokenCode: string
}

export interface AssumeRoleInput {
  roleArn: string
  roleSessionName: string
  durationSeconds: number
  externalId?: string
  mfa?: MfaInput
  sessionTags?: Record<string, string>
  transitiveTagKeys?: string[]
  sourceIdentity?: string
}

export interface CallerIdentity {
  account: string
  arn: string
  userId: string
}

/**
 * What vault needs from STS. The real adapter (sts-client.ts) wraps @aws-sdk/client-sts and maps
 * its errors to AwsCallError; tests pass a recording fake.
 */
export interface StsPort {
  getSessionToken(input: { durationSeconds: number; mfa?: MfaInput }): Promise<AwsCredentials>
  assumeRole(input: AssumeRoleInput): Promise<AwsCredentials>
  assumeRoleWithWebIdentity(input: {
    roleArn: string
    roleSessionName: string
    durationSeconds: number
    webIdentityToken: string
  }): Promise<AwsCredentials>
  getFederationToken(input: { name: string; durationSeconds: number; policy: string }): Promise<AwsCredentials>
  getCallerIdentity(): Promise<CallerIdentity>
}

export interface StsTarget {
  region: string
  /** Explicit endpoint (endpoint_url, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL); the SDK default otherwise. */
  endpoint?: string
  /** sts_regional_endpoints = legacy sends us-east-1-family requests to the global endpoint. */
  useGlobalEndpoint?: boolean
}

/** Builds an StsPort that signs with `credentials` (undefined for AssumeRoleWithWebIdentity). */
export type StsFactory = (credentials: AwsCredentials | undefined, target: StsTarget) => StsPort
