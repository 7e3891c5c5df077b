import { Args } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { profileStatus, renderStatus } from '../usecases/status.js'

export default class Status extends BaseCommand {
  static override args = {
    profile: Args.string({
      description: 'Profile from ~/.aws/config (default: AWS_VAULT, the one active in this shell)',
    }),
  }
  static override description =
    `Shows where the profile's credentials come from (the credential chain, one line each) and every cached session on the way: its type, whether it carries MFA, and how long it is valid.

Makes no AWS call and reads no secret: session expiry times are part of the cached items' names.`
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status saguaro',
    '<%= config.bin %> status saguaro --json',
  ]
  static override summary = 'Show where the credentials come from and how long each cached session is valid.'

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Status)
    const rt = this.runtime(flags)
    const status = await profileStatus(rt, { profile: args.profile })
    if (!this.jsonEnabled()) rt.streams.stdout.write(renderStatus(status, rt.clock.now()))
    return status
  }
}
