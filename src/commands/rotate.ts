import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { credentialFlags } from '../cli/credential-flags.js'
import { requiredProfileArg } from '../cli/profile-arg.js'
import { rotate } from '../usecases/rotate.js'

export default class Rotate extends BaseCommand {
  static override args = {
    profile: requiredProfileArg('Profile from ~/.aws/config'),
  }
  static override description =
    `Finds the profile that holds the long-term keys (following source_profile), asks IAM for a new access key, stores it, deletes the cached sessions of every profile on the way, and deletes the old key at AWS, retrying for up to 20 s while the new key propagates.

By default IAM is called with a GetSessionToken session with MFA when the profile has mfa_serial (IAM policies often demand MFA), and with the long-term keys otherwise. --no-session always uses the long-term keys, and deletes the old key with the new one, which proves the new key works first.

vault never ends with no working key: if the new key cannot be stored, it is deleted at AWS and the old one stays; if AWS never accepts the new key, the old one is stored again. Keys are masked in every message. AWS_ENDPOINT_URL_IAM sends the IAM calls elsewhere.`
  static override examples = [
    '<%= config.bin %> rotate caktus',
    '<%= config.bin %> rotate saguaro -t 123456',
    '<%= config.bin %> rotate caktus --no-session',
  ]
  static override flags = {
    'mfa-token': credentialFlags['mfa-token'],
    'no-session': Flags.boolean({ char: 'n', summary: 'Call IAM with the long-term keys instead of an MFA session.' }),
  }
  static override summary = 'Replace the access key behind a profile with a new one, and delete the old one.'

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Rotate)
    await rotate(this.runtime(flags), {
      profile: args.profile,
      noSession: flags['no-session'],
      mfaToken: flags['mfa-token'],
    })
  }
}
