import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { printable } from '../../output/printable.js'
import { populateSso, renderPlanned } from '../../usecases/sso-populate.js'

export default class SsoPopulate extends BaseCommand {
  static override args = {
    session: Args.string({ description: 'Name of an [sso-session NAME] section in ~/.aws/config', required: true }),
  }
  static override description =
    `Signs in to the IAM Identity Center session (if needed), lists every account and role you can reach, and appends one profile per account and role to ~/.aws/config, named ACCOUNT-ROLE (the account name, or its id when two accounts share a name).

Existing sections are never changed: a profile whose name is already taken is skipped. --dry-run prints the sections on stdout and writes nothing.`
  static override examples = [
    '<%= config.bin %> sso populate corp --dry-run',
    '<%= config.bin %> sso populate corp',
    '<%= config.bin %> sso populate corp --region eu-west-1 --no-browser',
  ]
  static override flags = {
    'dry-run': Flags.boolean({ summary: 'Print the profiles that would be added; write nothing.' }),
    'no-browser': Flags.boolean({ summary: 'Show the sign-in URL and code, but do not open a browser.' }),
    region: Flags.string({ summary: 'region of the new profiles (default: the sso_region of the session).' }),
  }
  static override summary = 'Add a profile for every SSO account and role to ~/.aws/config.'

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SsoPopulate)
    const rt = this.runtime(flags)
    const planned = await populateSso(rt, {
      session: args.session,
      region: flags.region,
      dryRun: flags['dry-run'],
      noBrowser: flags['no-browser'],
    })
    const added = planned.filter((p) => p.added).length
    if (flags['dry-run']) rt.streams.stdout.write(renderPlanned(planned))
    else for (const p of planned) if (p.added) rt.streams.stdout.write(`${printable(p.name)}\n`)
    const kept = planned.length - added
    rt.streams.stderr.write(
      `${flags['dry-run'] ? 'Would add' : 'Added'} ${added} profile${added === 1 ? '' : 's'}${kept ? ` (${kept} already in the config, left as they are)` : ''}.\n`,
    )
  }
}
