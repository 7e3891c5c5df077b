import { Flags } from '@oclif/core'
import { HAND_OUT_KINDS } from '../audit/record.js'
import { LOG_ENV, LOG_KEEP_ENV, LOG_MAX_BYTES_ENV } from '../audit/settings.js'
import { BaseCommand } from '../cli/base-command.js'
import { showLog } from '../usecases/log.js'

export default class Log extends BaseCommand {
  static override description =
    `Every time vault hands out credentials (exec, export, credential_process, the ECS and EC2 servers, login, the agent) it appends one line to ~/.awsvault/log/handouts.jsonl: the time, the profile, the chain (source profile, role, role session name, source identity, SSO account and role), how the credentials were obtained (a cache hit, or the STS/SSO calls made, with the MFA serial when a code was used), the masked access key id, the expiry, and who asked (the command and its pid; the parent process for credential_process; the client's uid, pid and executable for the servers). Never a secret: no secret key, session token, MFA code, passphrase or SSO token.

The file rotates at ${LOG_MAX_BYTES_ENV} bytes (default 10 MiB), keeping ${LOG_KEEP_ENV} old files (default 5); vault log reads them all. ${LOG_ENV}=off turns the log off; ${LOG_ENV}=/absolute/path moves it.`
  static override examples = [
    '<%= config.bin %> log',
    '<%= config.bin %> log --since 2h --profile saguaro',
    '<%= config.bin %> log --kind credential_process --since 2026-12-06T09:00:00Z',
    '<%= config.bin %> log --json | jq -r .requester.exe',
    '<%= config.bin %> log --follow',
  ]
  static override flags = {
    follow: Flags.boolean({ char: 'f', summary: 'Keep printing new records as they are written (Ctrl-C stops).' }),
    json: Flags.boolean({ summary: 'One JSON object a line, as stored.' }),
    kind: Flags.string({ options: HAND_OUT_KINDS, summary: 'Only hand-outs of this kind.' }),
    profile: Flags.string({ summary: 'Only hand-outs of this profile.' }),
    since: Flags.string({ summary: 'Only hand-outs since a duration ago (2h, 90m, 7d) or a time (ISO 8601).' }),
  }
  static override summary = 'Show the record of every credential hand-out: what, to whom, and how it was obtained.'

  async run(): Promise<void> {
    const { flags } = await this.parse(Log)
    await showLog(this.runtime(flags), flags)
  }
}
