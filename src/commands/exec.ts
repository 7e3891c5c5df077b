import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { splitPassthrough } from '../cli/command-line.js'
import { credentialFlags, ssoStdoutFlag } from '../cli/credential-flags.js'
import { optionalProfileArg } from '../cli/profile-arg.js'
import { execRequest } from '../cli/requests.js'
import { execProfile, PROFILE_ENV_VAR } from '../usecases/exec.js'

export default class Exec extends BaseCommand {
  static override args = {
    profile: optionalProfileArg('Profile from ~/.aws/config (default: AWS_PROFILE)'),
  }
  static override description =
    `Runs CMD with the profile's temporary credentials in its environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION, AWS_REGION, AWS_DEFAULT_REGION and AWS_VAULT. Credentials from other sources (AWS_PROFILE, AWS_ACCESS_KEY_ID, …) are removed first. The profile's endpoint_url is passed on as AWS_ENDPOINT_URL. Without CMD, starts $SHELL (AWS_VAULT_DISABLE_HELP_MESSAGE=1 silences its notice). Without PROFILE, AWS_PROFILE names it.

With --profile-env (or AWS_VAULT_PROFILE_ENV=true), vault checks that it can get the credentials, then gives CMD AWS_PROFILE=PROFILE instead of keys: for tools that read the profile from ~/.aws/config themselves (credential_process = vault export --format json PROFILE).

A role profile whose source profile has the same mfa_serial reuses one MFA session (GetSessionToken, 8h by default), so one MFA code serves every such role for the day. The exit code is CMD's, or 128+N when CMD dies of signal N.

With --ecs-server or --ec2-server, CMD gets no keys: it gets the address of a local credential server (the ECS container-credentials endpoint, or an EC2 instance metadata emulator) that refreshes the credentials before they expire and asks for a new MFA code when the MFA session runs out, so long-running jobs outlive their credentials. The server stops when CMD exits.`
  static override examples = [
    '<%= config.bin %> exec caktus -- aws s3 ls',
    '<%= config.bin %> exec saguaro --duration 2h -- terraform plan',
    '<%= config.bin %> exec saguaro -t 123456 -- aws sts get-caller-identity',
    '<%= config.bin %> exec caktus --json',
    '<%= config.bin %> exec caktus',
    '<%= config.bin %> exec --ecs-server saguaro -- python long_job.py',
    '<%= config.bin %> exec --ec2-server --lazy saguaro -- terraform apply',
    '<%= config.bin %> exec --profile-env saguaro -- terraform plan',
  ]
  static override flags = {
    ...credentialFlags,
    ...ssoStdoutFlag,
    'ec2-server': Flags.boolean({
      exclusive: ['ecs-server', 'json'],
      summary: 'Serve refreshing credentials to CMD from an EC2 instance metadata emulator on a loopback port.',
    }),
    'ecs-server': Flags.boolean({
      aliases: ['server'],
      char: 's',
      exclusive: ['ec2-server', 'json'],
      summary: 'Serve refreshing credentials to CMD from a local ECS container-credentials endpoint.',
    }),
    json: Flags.boolean({ char: 'j', summary: 'Print credential_process JSON instead of running a command.' }),
    lazy: Flags.boolean({
      // Not tied to the server flags: aws-vault (cli/exec.go) accepts --lazy alone and ignores it.
      summary: 'With a server: fetch credentials on the first request instead of before CMD starts.',
    }),
    'profile-env': Flags.boolean({
      env: PROFILE_ENV_VAR,
      // Not exclusive with the servers or --json: a user who exports AWS_VAULT_PROFILE_ENV still
      // runs them, and it is ignored there, as in aws-vault.
      summary: 'Check the credentials, then set AWS_PROFILE in CMD instead of handing it keys.',
    }),
  }
  // Not strict: CMD and its arguments follow the profile (see run()).
  static override strict = false
  static override summary = 'Run a command with temporary AWS credentials in its environment.'
  static override usage = '<%= command.id %> PROFILE [-- CMD [ARGS...]]'

  async run(): Promise<void> {
    // CMD is the raw argv after the first `--`, or after the profile, byte for byte: oclif's
    // parsed argv of a non-strict command is not (it reorders repeated values and drops `--`).
    // oclif parses only vault's own part, strictly, so it can reject what it does not know.
    const declaration = { args: Exec.args, baseFlags: Exec.baseFlags, flags: Exec.flags }
    const { own, passthrough } = splitPassthrough(
      { ...declaration, flags: { ...Exec.baseFlags, ...Exec.flags } },
      this.argv,
    )
    const { args, flags } = await this.parse({ ...declaration, strict: true }, own)
    const code = await execProfile(this.runtime(flags), execRequest(args.profile, flags, passthrough))
    if (code !== 0) this.exit(code)
  }
}
