import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { credentialFlags } from '../cli/credential-flags.js'
import { optionalProfileArg } from '../cli/profile-arg.js'
import { credentialRequest } from '../cli/requests.js'
import { login } from '../usecases/login.js'

export default class Login extends BaseCommand {
  static override args = {
    profile: optionalProfileArg(
      'Profile from ~/.aws/config (default: AWS_PROFILE, else the credentials in the environment)',
    ),
  }
  static override description =
    `Opens the AWS console in the default browser, signed in with the profile's temporary credentials; with --stdout, prints the sign-in URL instead (it works as a credential until it is used or expires).

A role profile signs in as the role. A profile with only long-term keys signs in through GetFederationToken, named after the IAM user, with those keys (a GetSessionToken session cannot call it, so no MFA is involved). The console opens in the profile's region (--region overrides it); aws-cn and aws-us-gov regions use their partition's sign-in and console.

--auto-logout (or AWS_VAULT_AUTO_LOGOUT=true) goes through the console's sign-out first, so a browser signed in to another account switches to this one; as in ByteNess aws-vault, on the aws partition only.

--duration sets how long the credentials last; for a role assumed straight from long-term keys it also sets the console session (SessionDuration).

Without PROFILE, AWS_PROFILE names it; without either, vault signs in with the credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (a role session as it is, long-term keys through GetFederationToken), as ByteNess aws-vault does.

The environment variable VAULT_FEDERATION_ENDPOINT replaces the federation endpoint (https://signin.aws.amazon.com/federation and its aws-cn and aws-us-gov twins), for tests and for partitions vault does not know.`
  static override examples = [
    '<%= config.bin %> login saguaro',
    '<%= config.bin %> login saguaro --path s3/home',
    '<%= config.bin %> login caktus --stdout --region eu-west-1',
    '<%= config.bin %> login saguaro -d 4h -t 123456',
    '<%= config.bin %> login saguaro --auto-logout',
    '<%= config.bin %> exec saguaro -- <%= config.bin %> login --stdout',
  ]
  static override flags = {
    ...credentialFlags,
    'auto-logout': Flags.boolean({
      char: 'a',
      env: 'AWS_VAULT_AUTO_LOGOUT',
      summary: 'Sign out of any console session first, so the browser switches accounts without a manual sign-out.',
    }),
    path: Flags.string({ summary: 'Console path to open, such as s3/home or ec2/home.' }),
    stdout: Flags.boolean({
      char: 's',
      env: 'AWS_VAULT_STDOUT',
      summary: 'Print the sign-in URL on stdout instead of opening a browser.',
    }),
  }
  static override summary = "Open the AWS console, signed in with the profile's temporary credentials."

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Login)
    await login(this.runtime(flags), {
      // --stdout also keeps an SSO login from opening a browser tab (credentialRequest).
      ...credentialRequest(args.profile, flags),
      autoLogout: flags['auto-logout'],
      path: flags.path,
      stdout: flags.stdout,
    })
  }
}
