import { Args, type Command } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import type { CompletionCommand } from '../shell/completion.js'
import { initScript, type Shell, shells } from '../shell/init-script.js'

export default class ShellInit extends BaseCommand {
  static override args = {
    shell: Args.string({ description: 'The shell to integrate with', options: [...shells], required: true }),
  }
  static override description = `Prints the script to load from your shell's rc file. It adds:
  vault use PROFILE     activate a profile in this shell (replacing the active one, leaving nothing of it behind)
  vault deactivate      unset every variable vault set, and nothing else
  a prompt marker       [aws|PROFILE 7h59m], also in vault exec subshells (VAULT_PROMPT=0 leaves the prompt alone)
  tab completion        of commands, flags and profile names (read from the config file at each TAB)`
  static override examples = [
    'echo \'eval "$(<%= config.bin %> shell-init bash)"\' >> ~/.bashrc',
    'echo \'eval "$(<%= config.bin %> shell-init zsh)"\' >> ~/.zshrc',
    "echo '<%= config.bin %> shell-init fish | source' >> ~/.config/fish/config.fish",
  ]
  static override summary =
    'Print shell integration (vault use/deactivate, prompt marker, completion) for bash, zsh or fish.'

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ShellInit)
    const commands = this.config.commands.filter((c) => !c.hidden).map(completionCommand)
    this.runtime(flags).streams.stdout.write(initScript(args.shell as Shell, commands, this.config.bin))
  }
}

/** From oclif's loaded command (read from oclif.manifest.json): the flags as the class declares them. */
function completionCommand(c: Command.Loadable): CompletionCommand {
  return {
    id: c.id,
    summary: c.summary,
    aliases: c.aliases,
    takesProfile: 'profile' in (c.args ?? {}),
    flags: Object.values(c.flags)
      .filter((f) => !f.hidden)
      .map((f) => ({
        name: f.name,
        char: f.char,
        summary: f.summary,
        takesValue: f.type === 'option',
        allowNo: f.type === 'boolean' && f.allowNo,
        options: f.type === 'option' ? f.options : undefined,
      })),
  }
}
