import { Command } from '@oclif/core'

export default class Version extends Command {
  static override description =
    'The same line as `vault --version`: awsvault-cli/VERSION PLATFORM-ARCH node-vNODE (the package name).'
  static override examples = ['<%= config.bin %> version']
  static override summary = "Print vault's version."

  async run(): Promise<void> {
    process.stdout.write(`${this.config.userAgent}\n`)
  }
}
