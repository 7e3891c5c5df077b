import type { Hook } from '@oclif/core'
import { UsageError } from '../../errors.js'
import { closest } from '../suggest.js'

/** `vault nosuchcommand`: one line naming the command and the nearest real one. */
const hook: Hook<'command_not_found'> = async (opts) => {
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id)
  const aliases = opts.config.commands.flatMap((c) => c.aliases)
  const suggestion = closest(opts.id, [...ids, ...aliases])
  throw new UsageError(
    `unknown command "${opts.id}"`,
    suggestion
      ? `did you mean "vault ${suggestion}"? Run vault --help for all commands`
      : 'run vault --help for all commands',
  )
}

export default hook
