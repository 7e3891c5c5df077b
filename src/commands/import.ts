import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { importCredentials } from '../usecases/import.js'

export default class Import extends BaseCommand {
  static override description =
    `Moves plaintext keys from the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials) into the secret backend, and takes them out of the file. aws-mfa's [NAME-long-term] sections are imported as NAME.

Each key is written to the backend and read back before its section leaves the file; the file is rewritten atomically (0600), other sections, settings and comments intact, with no backup. If vault is stopped half-way, run it again: keys already in the backend are taken out of the file.

Sections with a session token (aws-mfa's short-term sections) are reported and left alone, or deleted with --remove-sessions. A profile that already holds other keys in vault is a conflict, left in the file, unless --force.`
  static override examples = [
    '<%= config.bin %> import --dry-run',
    '<%= config.bin %> import',
    '<%= config.bin %> import --remove-sessions --force',
  ]
  static override flags = {
    'dry-run': Flags.boolean({ summary: 'List what would move (keys masked); change nothing.' }),
    force: Flags.boolean({ char: 'f', summary: 'Replace keys a profile already holds in vault.' }),
    'remove-sessions': Flags.boolean({ summary: 'Also delete sections that hold session tokens.' }),
  }
  static override summary = 'Move plaintext keys from ~/.aws/credentials into the secret backend.'

  async run(): Promise<void> {
    const { flags } = await this.parse(Import)
    await importCredentials(this.runtime(flags), {
      dryRun: flags['dry-run'],
      force: flags.force,
      removeSessions: flags['remove-sessions'],
    })
  }
}
