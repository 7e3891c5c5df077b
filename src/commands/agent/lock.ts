import { BaseCommand } from '../../cli/base-command.js'
import { tellAgent } from '../../usecases/agent.js'

export default class AgentLock extends BaseCommand {
  static override description =
    'Forgets every secret the agent holds at once (the unlocked store, keys, sessions, role credentials); the next command unlocks again, asking for the passphrase or an MFA code as needed. Sessions already in the session store stay there.'
  static override examples = ['<%= config.bin %> agent lock']
  static override summary = 'Forget everything the agent holds; it keeps running.'

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentLock)
    const rt = this.runtime(flags)
    const done = await tellAgent(rt, 'lock')
    rt.streams.stderr.write(done ? 'vault: agent locked\n' : 'vault: no agent is running\n')
  }
}
