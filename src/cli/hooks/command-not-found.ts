import type { Hook } from '@oclif/core'
import { UsageError } from '../../errors.js'
import { closest } from '../../text/closest.js'

/**
 * `vault exce dev`: one line naming the command and the nearest real one. oclif joins the words
 * it could not resolve into one id ("exce:dev", "list:extra"); a real command followed by extra
 * words is an unexpected argument, not an unknown command.
 */
const hook: Hook<'command_not_found'> = async (opts) => {
  const commands = opts.config.commands.filter((c) => !c.hidden)
  const words = opts.id.split(':')
  for (let n = words.length - 1; n > 0; n--) {
    const id = words.slice(0, n).join(':')
    if (opts.config.findCommand(id)) {
      const extra = words
        .slice(n)
        .map((w) => JSON.stringify(w))
        .join(' ')
      throw new UsageError(
        `unexpected argument ${extra} for "vault ${id.replaceAll(':', ' ')}"`,
        `run vault ${id.replaceAll(':', ' ')} --help`,
      )
    }
  }
  const names = [...commands.map((c) => c.id), ...commands.flatMap((c) => [...c.aliases, ...c.hiddenAliases])]
  const suggestion = closest(words[0], names)
  throw new UsageError(
    `unknown command "${words[0]}"`,
    suggestion
      ? `did you mean "vault ${suggestion}"? Run vault --help for all commands`
      : 'run vault --help for all commands',
  )
}

export default hook
