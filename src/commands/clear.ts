import { BaseCommand } from '../cli/base-command.js'
import { optionalProfileArg } from '../cli/profile-arg.js'
import { clearSessions } from '../usecases/clear.js'

export default class Clear extends BaseCommand {
  static override args = {
    profile: optionalProfileArg("Only clear this profile's sessions"),
  }
  static override description =
    'Deletes cached STS sessions (GetSessionToken and role credentials), for every profile or one. Long-term keys stay; the next command fetches new sessions, asking for an MFA code if needed.'
  static override examples = ['<%= config.bin %> clear', '<%= config.bin %> clear saguaro']
  static override summary = 'Delete cached sessions.'

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Clear)
    await clearSessions(this.runtime(flags), args.profile)
  }
}
