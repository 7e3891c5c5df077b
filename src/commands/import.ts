import { Flags } from '@oclif/core'
import { AWS_VAULT_SOURCES } from '../aws-vault/stores.js'
import { BaseCommand } from '../cli/base-command.js'
import { importCredentials } from '../usecases/import.js'
import { checkImportFlags, importFromAwsVault } from '../usecases/import-aws-vault.js'

export default class Import extends BaseCommand {
  static override description =
    `Moves plaintext keys from the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials) into the secret backend, and takes them out of the file. aws-mfa's [NAME-long-term] sections are imported as NAME.

Each key is written to the backend and read back before its section leaves the file; the file is rewritten atomically (0600), other sections, settings and comments intact, with no backup. If vault is stopped half-way, run it again: keys already in the backend are taken out of the file.

Sections with a session token (aws-mfa's short-term sections) are reported and left alone, or deleted with --remove-sessions. A profile that already holds other keys in vault is a conflict, left in the file, unless --force.

With --from aws-vault, copies the long-term keys from aws-vault's own store instead: the store aws-vault would use (--from-backend, else AWS_VAULT_BACKEND, else secret-service on Linux), placed by aws-vault's variables: the Secret Service collection "awsvault" (--secret-service-collection), the file backend in AWS_VAULT_FILE_DIR (passphrase AWS_VAULT_FILE_PASSPHRASE), or pass under AWS_VAULT_PASS_PREFIX. aws-vault's store is only read, never changed, so aws-vault keeps working; its cached sessions and SSO tokens are skipped.`
  static override examples = [
    '<%= config.bin %> import --dry-run',
    '<%= config.bin %> import',
    '<%= config.bin %> import --remove-sessions --force',
    {
      command: '<%= config.bin %> import --from aws-vault --dry-run',
      description: "List the keys in aws-vault's store (masked) and what would be copied.",
    },
    {
      command: '<%= config.bin %> import --from aws-vault',
      description: "Copy aws-vault's keys into vault's backend; aws-vault's store is left as it is.",
    },
    {
      command: 'AWS_VAULT_FILE_PASSPHRASE=… <%= config.bin %> import --from aws-vault --from-backend file',
      description: "Copy from aws-vault's file backend (~/.awsvault/keys) into the OS keychain.",
    },
  ]
  static override flags = {
    'dry-run': Flags.boolean({ summary: 'List what would move (keys masked); change nothing.' }),
    force: Flags.boolean({ char: 'f', summary: 'Replace keys a profile already holds in vault.' }),
    from: Flags.string({
      default: 'credentials-file',
      options: ['credentials-file', 'aws-vault'],
      summary: "Where the keys are: the shared credentials file, or aws-vault's own store.",
    }),
    'from-backend': Flags.string({
      options: [...AWS_VAULT_SOURCES],
      summary: "With --from aws-vault: aws-vault's backend to read (default: AWS_VAULT_BACKEND, else the OS's).",
    }),
    'remove-sessions': Flags.boolean({ summary: 'Also delete sections that hold session tokens.' }),
  }
  static override summary = "Move plaintext keys from ~/.aws/credentials, or aws-vault's keys, into the secret backend."

  async run(): Promise<void> {
    const { flags } = await this.parse(Import)
    checkImportFlags(flags.from, { fromBackend: flags['from-backend'], removeSessions: flags['remove-sessions'] })
    const request = { dryRun: flags['dry-run'], force: flags.force }
    if (flags.from === 'aws-vault') {
      await importFromAwsVault(this.runtime(flags), {
        ...request,
        backend: flags['from-backend'],
        collection: flags['secret-service-collection'],
      })
      return
    }
    await importCredentials(this.runtime(flags), { ...request, removeSessions: flags['remove-sessions'] })
  }
}
