import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { requiredProfileArg } from '../cli/profile-arg.js'
import { terminalPrompts } from '../terminal/prompt.js'
import { addCredentials } from '../usecases/add.js'

export default class Add extends BaseCommand {
  static override args = {
    profile: requiredProfileArg('Profile to store the keys for'),
  }
  static override description =
    `Prompts for an access key id and then a (masked) secret access key, and stores them in the secret backend: never in a plaintext file. Cached sessions made with the profile's old keys are deleted.

The key id is checked as soon as it is typed. Keys with a space or a control character are refused; any other shape is stored, as aws-vault stores it (keys of S3-compatible services), with a warning when AWS never issues it.

A profile with source_profile is refused: vault would never use keys stored for it.`
  static override examples = [
    '<%= config.bin %> add caktus',
    'AWS_ACCESS_KEY_ID=AKIA… AWS_SECRET_ACCESS_KEY=… <%= config.bin %> add caktus --env',
    '<%= config.bin %> add caktus --backend file',
    {
      command: 'AWS_ACCESS_KEY_ID=minio-admin AWS_SECRET_ACCESS_KEY=… <%= config.bin %> add minio --env',
      description: 'Keys of an S3-compatible service: stored, with a warning about their shape.',
    },
  ]
  static override flags = {
    'add-config': Flags.boolean({
      allowNo: true,
      default: true,
      summary: 'Append [profile NAME] to the AWS config file when it is missing.',
    }),
    env: Flags.boolean({ summary: 'Read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead of prompting.' }),
  }
  static override summary = 'Store long-term AWS keys for a profile in the keychain.'

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Add)
    await addCredentials(this.runtime(flags), {
      profile: args.profile,
      fromEnv: flags.env,
      addConfig: flags['add-config'],
      prompts: terminalPrompts('pass the keys through the environment with --env'),
    })
  }
}
