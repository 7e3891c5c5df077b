/** What the IAM Identity Center tests share: the config of an SSO profile, and the stand-in's endpoints. */

/**
 * An ~/.aws/config whose profile `dev` signs in through `[sso-session corp]` at `startUrl`, for
 * role Admin of account 111111111111 (in us-east-1), then works in eu-west-1. `extra` is appended.
 */
export function ssoConfig(startUrl: string, extra = ''): string {
  return `[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1

[sso-session corp]
sso_start_url = ${startUrl}
sso_region = us-east-1
${extra}`
}

/** The variables that send the AWS SDK's (and botocore's) SSO and SSO OIDC calls to a stand-in at `url`. */
export function ssoEndpoints(url: string): { AWS_ENDPOINT_URL_SSO_OIDC: string; AWS_ENDPOINT_URL_SSO: string } {
  return { AWS_ENDPOINT_URL_SSO_OIDC: url, AWS_ENDPOINT_URL_SSO: url }
}
