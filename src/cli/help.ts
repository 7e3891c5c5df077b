import { type Command, Help } from '@oclif/core'
import { type CommandSpec, globalFlags } from './command-line.js'

/**
 * `vault --help`: oclif's root help, plus what an aws-vault user looks for there: each command's
 * aliases and one example, and the global flags (read from the commands' own declarations, so
 * this file names none).
 */
export default class VaultHelp extends Help {
  protected override formatCommands(commands: Command.Loadable[]): string {
    const body = this.renderList(
      commands.map((c) => {
        const names = [c.id.replaceAll(':', ' '), ...c.aliases, ...c.hiddenAliases].join(', ')
        const example = typeof c.examples?.[0] === 'string' ? c.examples[0] : undefined
        const line = example?.replace('<%= config.bin %>', this.config.bin)
        return [names, [this.summary(c), line && `$ ${line}`].filter(Boolean).join('\n')]
      }),
      { indentation: 2, spacer: '\n', stripAnsi: this.opts.stripAnsi },
    )
    return this.section('COMMANDS', body)
  }

  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    const manifest = {
      commands: Object.fromEntries(this.config.commands.map((c) => [c.id, c as unknown as CommandSpec])),
    }
    const global = Object.entries(globalFlags(manifest)) as Array<[string, Command.Flag.Cached]>
    const rows = global.map(([name, f]) => [
      `--${name}${f.type === 'option' ? '=<value>' : ''}`,
      `${f.env ? `[env: ${f.env}] ` : ''}${f.summary ?? ''}`,
    ])
    this.log(
      this.section(
        'GLOBAL FLAGS (before or after the command)',
        this.renderList(rows, { indentation: 2, spacer: '\n', stripAnsi: this.opts.stripAnsi }),
      ),
    )
    this.log('')
  }
}
