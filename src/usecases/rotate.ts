import { join } from 'node:path'
import { rotateAccessKey } from '../iam/rotate-access-key.js'
import { fileRotationJournal } from '../iam/rotation-journal.js'
import { planRotation } from '../iam/rotation-plan.js'
import { maskKey } from '../output/mask.js'
import { type ChainDeps, chainContext, type LoadProfileDeps, loadProfile } from './get-credentials.js'
import type { Ports } from './ports.js'

export interface RotateRequest {
  profile: string
  /** Sign the IAM calls with the long-term keys instead of an MFA session. */
  noSession: boolean
  mfaToken?: string
}

/**
 * `vault rotate`: replaces the long-term access key behind a profile with a new one (created,
 * stored, then the old one deleted at AWS). Progress goes to stderr; the result line, to stdout.
 */
/** The chain (to call IAM as the profile), the stores, IAM, and a wait while a new key propagates. */
export type RotateDeps = LoadProfileDeps & ChainDeps & Pick<Ports, 'iamFactory' | 'sleep'>

export async function rotate(rt: RotateDeps, req: RotateRequest): Promise<void> {
  const profile = await loadProfile(rt, { profile: req.profile })
  const plan = await planRotation(profile, await chainContext(rt, profile, req))
  const say = (line: string) => rt.streams.stderr.write(`${line}\n`)
  const how = plan.deleteWithNewKey ? 'its long-term keys' : 'an MFA session'
  say(
    `Rotating access key ${maskKey(plan.oldKeys.accessKeyId)} of profile ${plan.holder}, using ${how} (this can take up to 20 s)`,
  )
  const sessions = await rt.sessions()
  const keys = await rt.keys()
  const result = await rotateAccessKey(plan, {
    keys,
    isStored: async (id) => {
      for (const name of await keys.list()) if ((await keys.get(name))?.accessKeyId === id) return true
      return false
    },
    removeSessions: (name) => sessions.removeForProfile(name),
    journal: fileRotationJournal(join(rt.homedir, '.awsvault', 'rotations')),
    iam: rt.iamFactory,
    sleep: rt.sleep,
    log: rt.log,
    say,
  })
  rt.streams.stdout.write(
    `Rotated the access key of profile ${plan.holder}: ${maskKey(result.oldKeyId)} is deleted, ${maskKey(result.newKeyId)} is stored\n`,
  )
}
