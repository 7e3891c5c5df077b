import { NotFoundError, UsageError } from '../errors.js'
import { printable } from '../output/printable.js'
import type { Prompts } from '../terminal/prompt.js'
import type { Ports } from './ports.js'

export interface RemoveRequest {
  profile: string
  force: boolean
  /** -s/--sessions-only: delete the profile's cached sessions and keep its keys (aws-vault's legacy flag). */
  sessionsOnly?: boolean
  prompts: Prompts
}

/**
 * `vault remove`: deletes a profile's long-term keys and its cached sessions. Results go to stdout
 * in aws-vault's words (cli/remove.go: `Deleted credentials.`, `Deleted N sessions.`).
 */
export type RemoveDeps = Pick<Ports, 'keys' | 'sessions' | 'streams' | 'hasTerminal'>

export async function removeCredentials(rt: RemoveDeps, req: RemoveRequest): Promise<void> {
  if (req.sessionsOnly) {
    // aws-vault: no prompt and no check for keys; the count may be 0.
    const n = await (await rt.sessions()).removeForProfile(req.profile)
    rt.streams.stdout.write(`Deleted ${n} sessions.\n`)
    return
  }
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
  rt.streams.stdout.write('Deleted credentials.\n')
  // vault also drops the sessions made with the deleted keys (aws-vault leaves them until they expire).
  const sessions = await (await rt.sessions()).removeForProfile(req.profile)
  if (sessions > 0) rt.streams.stdout.write(`Deleted ${sessions} sessions.\n`)
}
