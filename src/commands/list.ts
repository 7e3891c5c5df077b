import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { listMode } from '../cli/requests.js'
import { listProfiles, renderList } from '../usecases/list.js'

export default class List extends BaseCommand {
  static override hiddenAliases = ['ls']
  static override description =
    `Lists profiles in config-file order, whether keys are stored for them, and their cached sessions with the time left (sts.GetSessionToken:7h59m59s), as aws-vault does. An empty [default] section is not listed.

When a profile holds two sessions of one type, one made with MFA and one without, the MFA one is marked (MFA).`
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> list',
    '<%= config.bin %> list --profiles',
    '<%= config.bin %> list --credentials',
    '<%= config.bin %> list --sessions',
    '<%= config.bin %> list --json',
  ]
  static override flags = {
    credentials: Flags.boolean({
      exclusive: ['profiles', 'sessions'],
      summary: 'Only profiles with stored keys, one per line.',
    }),
    profiles: Flags.boolean({ exclusive: ['credentials', 'sessions'], summary: 'Only profile names, one per line.' }),
    sessions: Flags.boolean({
      exclusive: ['credentials', 'profiles'],
      summary: 'Only cached sessions with the time left (sts.AssumeRole:59m59s), one per line.',
    }),
  }
  static override summary = 'List profiles, stored keys and cached sessions.'

  async run(): Promise<unknown> {
    const { flags } = await this.parse(List)
    const rt = this.runtime(flags)
    const rows = await listProfiles(rt)
    const mode = listMode({ ...flags, json: this.jsonEnabled() })
    if (mode === 'json') return rows
    rt.streams.stdout.write(renderList(rows, mode))
    return rows
  }
}
