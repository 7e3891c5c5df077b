import type { Env } from '../runtime/types.js'

/**
 * Variables removed from the child's environment before vault's own are set, as aws-vault does:
 * any of them would make an SDK in the child pick other credentials or another profile.
 */
export const scrubbedVariables = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_FILE',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_DEFAULT_PROFILE',
  'AWS_PROFILE',
  'AWS_SDK_LOAD_CONFIG',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
] as const

/**
 * vault's own secrets, which the child never gets (aws-vault passes them on). With the file
 * backend's passphrase, a child meant to hold no keys, such as one behind --ecs-server, could
 * decrypt every key in ~/.awsvault/keys. A nested `vault` in the child asks for it again.
 */
export const vaultSecretVariables = ['AWS_VAULT_FILE_PASSPHRASE'] as const

/** The child's environment: the parent's, scrubbed, plus AWS_VAULT and the given variables. */
export function buildChildEnv(parent: Env, profile: string, vars: Array<[string, string]>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(parent)) if (v !== undefined) env[k] = v
  for (const k of [...scrubbedVariables, ...vaultSecretVariables]) delete env[k]
  env.AWS_VAULT = profile
  for (const [k, v] of vars) env[k] = v
  return env
}

/**
 * ByteNess aws-vault (cli/exec.go createEnv) hands the profile's endpoint_url to the command as
 * AWS_ENDPOINT_URL, so its SDK talks to the same endpoint. Without endpoint_url the parent's
 * AWS_ENDPOINT_URL, if any, passes through unchanged.
 */
export function endpointVariable(profile: { endpointUrl?: string }): Array<[string, string]> {
  return profile.endpointUrl ? [['AWS_ENDPOINT_URL', profile.endpointUrl]] : []
}
