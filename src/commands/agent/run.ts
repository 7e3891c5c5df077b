import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { durationFlag, runtimeOptions } from '../../cli/requests.js'
import { serveArgv } from '../../compose/agent-argv.js'
import { runtimeFactory } from '../../compose/runtime.js'
import { DEFAULT_LIFETIME_SECONDS, DEFAULT_WARN_BEFORE_SECONDS, runAgent } from '../../usecases/agent.js'

export default class AgentRun extends BaseCommand {
  static override description =
    'Runs the agent in the foreground until vault agent stop, SIGTERM or Ctrl-C: for a systemd user service, or to watch it with --debug. vault agent start runs this detached.'
  static override examples = ['<%= config.bin %> agent run --debug', '<%= config.bin %> agent run --lifetime 4h']
  static override flags = {
    lifetime: Flags.string({
      summary: 'How long anything is held before it is forgotten (default: 8h, the MFA session of a role chain).',
    }),
    'warn-before': Flags.string({
      summary: 'Send a desktop notification this long before an MFA session ends (default: 10m).',
    }),
  }
  static override summary = 'Run the agent in the foreground.'

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentRun)
    const rt = this.runtime(flags)
    const options = runtimeOptions(flags)
    const own = { env: rt.env, homedir: rt.homedir, log: rt.log, clock: rt.clock }
    const agentRuntime = runtimeFactory(options, own)
    const deps = { ...own, streams: rt.streams, sleep: rt.sleep, platform: rt.platform, agentRuntime, serveArgv }
    await runAgent(deps, {
      options,
      lifetimeSeconds: flags.lifetime ? durationFlag(flags.lifetime) : DEFAULT_LIFETIME_SECONDS,
      warnBeforeSeconds: flags['warn-before'] ? durationFlag(flags['warn-before']) : DEFAULT_WARN_BEFORE_SECONDS,
      uid: process.getuid?.() ?? 0,
    })
  }
}
