import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { terminalPrompts } from '../runtime/prompts.js'
import { removeCredentials } from '../usecases/remove.js'

export default class Remove extends BaseCommand {
  static override hiddenAliases = ['rm']
  static override args = {
    profile: Args.string({ description: 'Profile whose keys to delete', required: true }),
  }
  static override description =
    'Deletes the long-term keys stored for the profile, and its cached sessions. Asks first unless --force is given.'
  static override examples = ['<%= config.bin %> remove caktus', '<%= config.bin %> rm caktus --force']
  static override flags = {
    force: Flags.boolean({ char: 'f', summary: 'Do not ask for confirmation.' }),
  }
  static override summary = "Delete a profile's stored keys and sessions."

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Remove)
    await removeCredentials(this.runtime(flags), {
      profile: args.profile,
      force: flags.force,
      prompts: terminalPrompts('pass -f/--force'),
    })
  }
}
