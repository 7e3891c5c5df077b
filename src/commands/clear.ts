import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { optionalProfileArg } from '../cli/profile-arg.js'
import { clearRequest } from '../cli/requests.js'
import { clearSessions } from '../usecases/clear.js'

export default class Clear extends BaseCommand {
  static override args = {
    profile: optionalProfileArg("Only clear this profile's sessions"),
  }
  static override description =
    'Deletes cached sessions (GetSessionToken, role credentials, SSO role credentials), for every profile or one; with no profile, the IAM Identity Center (SSO) OIDC tokens too. --sso deletes only the SSO tokens. Long-term keys stay; the next command fetches new sessions, asking for an MFA code or an SSO approval if needed.'
  static override examples = [
    '<%= config.bin %> clear',
    '<%= config.bin %> clear saguaro',
    '<%= config.bin %> clear --sso',
  ]
  static override flags = {
    sso: Flags.boolean({ summary: 'Only delete the SSO OIDC tokens (oidc:<start url> items).' }),
  }
  static override summary = 'Delete cached sessions.'

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Clear)
    await clearSessions(this.runtime(flags), clearRequest(args.profile, flags))
  }
}
