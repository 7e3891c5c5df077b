import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { runtimeOptions } from '../../cli/requests.js'
import { UsageError } from '../../errors.js'
import { serveProfile, stopServing } from '../../usecases/agent-serve.js'

export default class AgentServe extends BaseCommand {
  static override args = {
    profile: Args.string({
      description: 'Profile to serve; with --stop, the profile or the URL of the endpoint to end',
    }),
  }
  static override description =
    `Opens an ECS-style credential endpoint owned by the agent: it outlives this terminal and stays up until vault agent stop, --stop or the agent's lifetime ends. Prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN lines for docker run --env-file or a devcontainer. Each endpoint has its own token.

On loopback only you (your uid) may connect. --bind ADDR listens on another address, such as a bridge a container can reach: the token then is the only guard, which vault says loudly.`
  static override examples = [
    '<%= config.bin %> agent serve saguaro > saguaro.env && docker run --env-file saguaro.env amazon/aws-cli sts get-caller-identity',
    '<%= config.bin %> agent serve saguaro --bind 172.17.0.1 --port 9911',
    '<%= config.bin %> agent serve --stop saguaro',
  ]
  static override flags = {
    bind: Flags.string({ summary: 'Listen on this address instead of 127.0.0.1 (e.g. a container bridge).' }),
    'mfa-token': Flags.string({ char: 't', summary: 'MFA code, when one is needed now.' }),
    port: Flags.integer({ summary: 'Listen on this port (default: one the system picks).' }),
    stop: Flags.boolean({ summary: 'End the endpoint of PROFILE (or at the URL given as PROFILE).' }),
  }
  static override summary = 'Serve a profile to containers from the agent.'

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AgentServe)
    const rt = this.runtime(flags)
    if (!args.profile) throw new UsageError('vault agent serve needs a profile', 'run: vault agent serve PROFILE')
    if (flags.stop) {
      for (const url of await stopServing(rt, args.profile)) rt.streams.stderr.write(`vault: stopped ${url}\n`)
      return
    }
    const lines = await serveProfile(rt, {
      profile: args.profile,
      options: runtimeOptions(flags),
      bind: flags.bind,
      port: flags.port,
      mfaToken: flags['mfa-token'],
    })
    rt.streams.stdout.write(lines)
  }
}
