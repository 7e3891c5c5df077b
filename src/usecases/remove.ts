import { NotFoundError, UsageError } from '../errors.js'
import { printable } from '../output/printable.js'
import type { Prompts } from '../runtime/prompts.js'
import type { Runtime } from '../runtime/runtime.js'

export interface RemoveRequest {
  profile: string
  force: boolean
  prompts: Prompts
}

/** `vault remove`: deletes a profile's long-term keys and its cached sessions. */
export async function removeCredentials(rt: Runtime, req: RemoveRequest): Promise<void> {
  const keys = await rt.keys()
  if (!(await keys.has(req.profile, { confirm: true }))) {
    throw new NotFoundError(
      `no credentials for profile "${printable(req.profile)}" in vault`,
      'see what is stored with: vault list',
    )
  }
  if (!req.force) {
    if (!rt.hasTerminal)
      throw new UsageError(
        `remove credentials of "${printable(req.profile)}"? There is no terminal to confirm on`,
        'pass -f/--force',
      )
    const yes = await req.prompts.confirm(`Delete credentials for profile "${printable(req.profile)}"?`)
    if (!yes) {
      rt.streams.stderr.write('Nothing deleted.\n')
      return
    }
  }
  await keys.remove(req.profile)
  const sessions = await (await rt.sessions()).removeForProfile(req.profile)
  rt.streams.stderr.write(`Deleted credentials for profile "${printable(req.profile)}".\n`)
  if (sessions > 0) rt.streams.stderr.write(`Deleted ${sessions} session${sessions === 1 ? '' : 's'}.\n`)
}
