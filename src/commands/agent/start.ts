import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { durationFlag, runtimeOptions } from '../../cli/requests.js'
import { DEFAULT_LIFETIME_SECONDS, DEFAULT_WARN_BEFORE_SECONDS, startAgent } from '../../usecases/agent.js'

export default class AgentStart extends BaseCommand {
  static override description =
    `Starts the per-user agent, detached from this terminal, or finds the one already running. It holds what you unlock (the file backend's passphrase, long-term keys read, MFA sessions, role credentials) in memory for --lifetime, behind a socket only you can open; every vault command asks it first and prompts on its own terminal when a code is needed.

Prints the line that publishes the socket (like ssh-agent): run it through eval in your shell's rc file.`
  static override examples = [
    'eval "$(<%= config.bin %> agent start)"',
    '<%= config.bin %> agent start --lifetime 12h',
    '<%= config.bin %> agent start --backend file',
  ]
  static override flags = {
    lifetime: Flags.string({
      summary: 'How long anything is held before it is forgotten (default: 8h, the MFA session of a role chain).',
    }),
    'warn-before': Flags.string({
      summary: 'Send a desktop notification this long before an MFA session ends (default: 10m).',
    }),
  }
  static override summary = 'Start the agent (or find the running one).'

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentStart)
    const rt = this.runtime(flags)
    const { socket, started } = await startAgent(rt, {
      options: runtimeOptions(flags),
      lifetimeSeconds: flags.lifetime ? durationFlag(flags.lifetime) : DEFAULT_LIFETIME_SECONDS,
      warnBeforeSeconds: flags['warn-before'] ? durationFlag(flags['warn-before']) : DEFAULT_WARN_BEFORE_SECONDS,
      bin: `${this.config.root}/bin/run.js`,
      uid: process.getuid?.() ?? 0,
    })
    rt.streams.stderr.write(
      started ? `vault: agent started on ${socket}\n` : `vault: agent already running on ${socket}\n`,
    )
    rt.streams.stdout.write(`export AWS_VAULT_AGENT_SOCK='${socket.replaceAll("'", `'\\''`)}'\n`)
  }
}
