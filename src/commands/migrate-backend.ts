import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { runtimeOptions } from '../cli/requests.js'
import { createRuntime } from '../compose/runtime.js'
import { BACKEND_NAMES } from '../stores/backend.js'
import { migrateBackend } from '../usecases/migrate-backend.js'

export default class MigrateBackend extends BaseCommand {
  static override description =
    `Copies every profile's long-term keys (or --profile's) from one of vault's backends to another, as ByteNess aws-vault's migrate-backend does. Cached sessions and SSO tokens are not moved: vault makes new ones.

Each key is written to the target and read back before it counts as copied; with --delete-source it is then deleted from the source. If vault is stopped half-way, every key is in the source, the target or both: run the command again. A profile whose keys the target already holds is skipped, unless --overwrite. Names and keys pass the same checks as vault add.`
  static override examples = [
    {
      command: '<%= config.bin %> migrate-backend --from secret-service --to file --dry-run',
      description: 'List what would be copied, keys masked; change nothing.',
    },
    {
      command: '<%= config.bin %> migrate-backend --from secret-service --to file --delete-source',
      description: 'Move every key to the file backend (~/.awsvault/keys).',
    },
    '<%= config.bin %> migrate-backend --from file --to secret-service --profile caktus --overwrite',
  ]
  static override flags = {
    'delete-source': Flags.boolean({
      summary: 'Delete each key from the source once the target holds it (read back and compared).',
    }),
    'dry-run': Flags.boolean({ summary: 'List what would be migrated (keys masked); change nothing.' }),
    from: Flags.string({ options: [...BACKEND_NAMES], required: true, summary: 'Backend to copy the keys from.' }),
    overwrite: Flags.boolean({ summary: 'Replace keys the target already holds for a profile.' }),
    profile: Flags.string({ summary: 'Migrate only this profile.' }),
    to: Flags.string({ options: [...BACKEND_NAMES], required: true, summary: 'Backend to copy the keys to.' }),
  }
  static override summary = "Copy (or move) stored keys between vault's backends."

  async run(): Promise<void> {
    const { flags } = await this.parse(MigrateBackend)
    const rt = this.runtime(flags)
    const to = createRuntime(runtimeOptions({ ...flags, backend: flags.to }), { streams: rt.streams })
    const from = createRuntime(runtimeOptions({ ...flags, backend: flags.from }), { streams: rt.streams })
    await migrateBackend(
      {
        from: { name: flags.from, keys: () => from.keys() },
        to: { name: flags.to, keys: () => to.keys() },
        streams: rt.streams,
      },
      {
        profile: flags.profile,
        dryRun: flags['dry-run'],
        overwrite: flags.overwrite,
        deleteSource: flags['delete-source'],
      },
    )
  }
}
