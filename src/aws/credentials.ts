/** Credentials as vault hands them out. `expiration` is absent only for long-term keys. */
export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
}
