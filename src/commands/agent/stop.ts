import { BaseCommand } from '../../cli/base-command.js'
import { tellAgent } from '../../usecases/agent.js'

export default class AgentStop extends BaseCommand {
  static override description =
    'Forgets every secret the agent holds and ends it (its serve endpoints with it). vault then takes the direct path again.'
  static override examples = ['<%= config.bin %> agent stop']
  static override summary = 'Forget everything the agent holds, and stop it.'

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentStop)
    const rt = this.runtime(flags)
    const done = await tellAgent(rt, 'stop')
    rt.streams.stderr.write(done ? 'vault: agent stopped\n' : 'vault: no agent is running\n')
  }
}
