import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { requiredProfileArg } from '../cli/profile-arg.js'
import { terminalPrompts } from '../terminal/prompt.js'
import { removeCredentials } from '../usecases/remove.js'

export default class Remove extends BaseCommand {
  static override hiddenAliases = ['rm']
  static override args = {
    profile: requiredProfileArg('Profile whose keys to delete'),
  }
  static override description =
    'Deletes the long-term keys stored for the profile, and its cached sessions. Asks first unless --force is given. With --sessions-only, deletes only the sessions, without asking.'
  static override examples = [
    '<%= config.bin %> remove caktus',
    '<%= config.bin %> rm caktus --force',
    '<%= config.bin %> remove caktus --sessions-only',
  ]
  static override flags = {
    force: Flags.boolean({ char: 'f', summary: 'Do not ask for confirmation.' }),
    'sessions-only': Flags.boolean({
      char: 's',
      summary: "Only delete the profile's cached sessions and keep its keys (like vault clear PROFILE).",
    }),
  }
  static override summary = "Delete a profile's stored keys and sessions."

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Remove)
    await removeCredentials(this.runtime(flags), {
      profile: args.profile,
      force: flags.force,
      sessionsOnly: flags['sessions-only'],
      prompts: terminalPrompts('pass -f/--force'),
    })
  }
}
