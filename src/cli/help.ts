import { type Command, Help } from '@oclif/core'
import { type CommandSpec, globalFlags } from './command-line.js'

/**
 * `vault --help`: oclif's root help, plus what an aws-vault user looks for there: each command's
 * aliases and one example, and the global flags (read from the commands' own declarations, so
 * this file names none).
 */
export default class VaultHelp extends Help {
  /**
   * A command's help lists its own flags; the global flags (helpGroup GLOBAL, declared once in
   * base-command.ts) are named in one short block that points at `vault --help`, where they are
   * described, instead of ~25 lines and a USAGE line repeating them on every page.
   */
  override formatCommand(command: Command.Loadable): string {
    const global = new Set(Object.keys(globalFlags(this.manifest())))
    const flags = Object.entries(command.flags ?? {})
    // oclif puts --json in its GLOBAL group too; it is the command's own flag here.
    const own = Object.fromEntries(
      flags.filter(([name]) => !global.has(name)).map(([name, f]) => [name, { ...f, helpGroup: undefined }]),
    )
    const text = super.formatCommand({ ...command, flags: own })
    const names = flags.filter(([name, f]) => global.has(name) && !f.hidden).map(([name]) => `--${name}`)
    if (names.length === 0) return text
    const body = this.wrap(`${names.join(', ')}; run "${this.config.bin} --help" for what each does.`)
    return `${text}\n\n${this.section('GLOBAL FLAGS', body)}`
  }

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

  private manifest() {
    return { commands: Object.fromEntries(this.config.commands.map((c) => [c.id, c as unknown as CommandSpec])) }
  }

  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    const global = Object.entries(globalFlags(this.manifest())) as Array<[string, Command.Flag.Cached]>
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
