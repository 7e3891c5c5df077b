import { BaseCommand } from '../../cli/base-command.js'
import { agentStatus, renderAgentStatus } from '../../usecases/agent.js'

export default class AgentStatus extends BaseCommand {
  static override description =
    'Lists what the agent holds: whether the store is unlocked, each profile with the kind of credentials and when they expire, its serve endpoints, and when it forgets everything. Never a secret.'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> agent status', '<%= config.bin %> agent status --json']
  static override summary = 'Show what the agent holds (never a secret).'

  async run(): Promise<unknown> {
    const { flags } = await this.parse(AgentStatus)
    const rt = this.runtime(flags)
    const status = await agentStatus(rt)
    if (!this.jsonEnabled()) rt.streams.stdout.write(renderAgentStatus(status, rt.clock.now()))
    return status
  }
}
