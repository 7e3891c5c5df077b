import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { credentialFlags, credentialRequest } from '../cli/credential-flags.js'
import { execProfile } from '../usecases/exec.js'

export default class Exec extends BaseCommand {
  static override args = {
    profile: Args.string({ description: 'Profile from ~/.aws/config', required: true }),
  }
  static override description = `Runs CMD with the profile's temporary credentials in its environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION, AWS_REGION, AWS_DEFAULT_REGION and AWS_VAULT. Credentials from other sources (AWS_PROFILE, AWS_ACCESS_KEY_ID, …) are removed first. Without CMD, starts $SHELL.

A role profile whose source profile has the same mfa_serial reuses one MFA session (GetSessionToken, 8h by default), so one MFA code serves every such role for the day. The exit code is CMD's, or 128+N when CMD dies of signal N.`
  static override examples = [
    '<%= config.bin %> exec caktus -- aws s3 ls',
    '<%= config.bin %> exec saguaro --duration 2h -- terraform plan',
    '<%= config.bin %> exec saguaro -t 123456 -- aws sts get-caller-identity',
    '<%= config.bin %> exec caktus --json',
    '<%= config.bin %> exec caktus',
  ]
  static override flags = {
    ...credentialFlags,
    json: Flags.boolean({ char: 'j', summary: 'Print credential_process JSON instead of running a command.' }),
  }
  static override strict = false
  static override summary = 'Run a command with temporary AWS credentials in its environment.'
  static override usage = '<%= command.id %> PROFILE [-- CMD [ARGS...]]'

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(Exec)
    const [command, ...rest] = (argv as string[]).slice(1)
    const code = await execProfile(this.runtime(flags), {
      ...credentialRequest(args.profile, flags),
      command,
      args: rest,
      json: flags.json,
    })
    if (code !== 0) this.exit(code)
  }
}
