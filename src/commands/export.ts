import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { credentialFlags, ssoStdoutFlag } from '../cli/credential-flags.js'
import { optionalProfileArg } from '../cli/profile-arg.js'
import { exportRequest } from '../cli/requests.js'
import { exportFormats } from '../output/format.js'
import { exportProfile } from '../usecases/export.js'

export default class Export extends BaseCommand {
  static override args = {
    profile: optionalProfileArg('Profile from ~/.aws/config (default: AWS_PROFILE)'),
  }
  static override description =
    `Prints the profile's temporary credentials on stdout, and nothing else. Without PROFILE, AWS_PROFILE names it.

--format json is the credential_process contract (Version 1, AccessKeyId, SecretAccessKey, SessionToken, Expiration), so SDKs can call vault directly:
  [profile saguaro-sdk]
  credential_process = vault export --format json saguaro

--format export-env is for bash and zsh (eval "$(vault export --format export-env PROFILE)"), --format fish for fish (vault export --format fish PROFILE | source): each first unsets what another profile set, and quotes every value for its own shell. --format env and ini print values raw, as aws-vault does, and refuse a value their readers could misread (quotes, $, a line break); use export-env, fish or json then.

Cached credentials are reused while more than AWS_MIN_TTL (default 5m) is left, or 15m for --format json, inside which botocore would fetch again.`
  static override examples = [
    '<%= config.bin %> export caktus',
    'eval "$(<%= config.bin %> export --format export-env saguaro)"',
    '<%= config.bin %> export --format fish saguaro | source',
    '<%= config.bin %> export --format json saguaro',
    '<%= config.bin %> export --format ini saguaro >> ~/.aws/credentials.tmp',
  ]
  static override flags = {
    ...credentialFlags,
    ...ssoStdoutFlag,
    format: Flags.string({
      default: 'env',
      options: [...exportFormats],
      summary: 'Output format: env, export-env (bash, zsh), fish, ini or json.',
    }),
  }
  static override summary =
    'Print temporary AWS credentials as env lines, shell exports (bash, zsh, fish), INI or credential_process JSON.'

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Export)
    await exportProfile(this.runtime(flags), exportRequest(args.profile, flags))
  }
}
