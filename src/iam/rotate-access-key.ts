import type { AwsCredentials } from '../aws/credentials.js'
import { AwsCallError } from '../errors.js'
import { maskKey } from '../output/mask.js'
import type { Logger } from '../runtime/types.js'
import type { IamPort } from './iam-port.js'
import type { RotationJournal } from './rotation-journal.js'
import { resumeInterrupted, undoCreate } from './rotation-recovery.js'
import {
  deleteOldKey,
  messageOf,
  type RotationDeps,
  type RotationPlan,
  type RotationResult,
  removeChainSessions,
} from './rotation-steps.js'

export {
  type KeyWriter,
  propagation,
  type RotationDeps,
  type RotationPlan,
  type RotationResult,
} from './rotation-steps.js'

/**
 * Replaces the stored access key: create a new key, store it, clear the sessions made with the old
 * one, then delete the old key at AWS. The order keeps one working, stored key at every step: a
 * failure to store deletes the new key again, and a new key AWS never accepts is rolled back.
 * A journal entry spans CreateAccessKey to the deletion, so a rotation killed in between is
 * finished or undone by the next one (aws-vault's cli/rotate.go has no such step: its rerun fails
 * at CreateAccessKey with LimitExceeded, the user holding two keys).
 */
export async function rotateAccessKey(plan: RotationPlan, given: RotationDeps): Promise<RotationResult> {
  const deps = { ...given, journal: bestEffort(given.journal, given.log) }
  const iam = deps.iam(plan.caller, plan.target)
  const oldId = plan.oldKeys.accessKeyId
  const user = await iam.getUser()
  if (!user.userName) {
    throw new AwsCallError(
      `profile "${plan.holder}": the access key ${maskKey(oldId)} belongs to ${user.arn || 'the account root user'}, not to an IAM user`,
      'NotAnIamUser',
      'vault rotates IAM user keys only; rotate root keys in the AWS console',
    )
  }
  const userName = user.userName
  deps.log.debug(`profile ${plan.holder}: the access key ${maskKey(oldId)} belongs to IAM user ${userName}`)

  const pending = await deps.journal.read(plan.holder)
  if (pending) {
    const finished = await resumeInterrupted(iam, userName, pending, plan, deps)
    if (finished) return finished
  }

  await deps.journal.write(plan.holder, { userName, oldKeyId: oldId })
  const created = await createKey(iam, userName, plan).catch(async (err: unknown) => {
    // AWS refused (two keys already): nothing was created. Otherwise the entry stays, and a rerun
    // names any key this call may have made.
    if (err instanceof AwsCallError && err.code === 'LimitExceeded') await deps.journal.remove(plan.holder)
    throw err
  })
  await deps.journal.write(plan.holder, { userName, oldKeyId: oldId, createdKeyId: created.accessKeyId })
  deps.say(`Created new access key ${maskKey(created.accessKeyId)} for IAM user ${userName}`)
  try {
    await deps.keys.set(plan.holder, created)
  } catch (err) {
    return undoCreate(iam, userName, created, plan, deps, err)
  }
  deps.say(`Stored the new access key for profile ${plan.holder}`)

  await removeChainSessions(plan, deps)
  await deleteOldKey(iam, userName, created, plan, deps)
  await deps.journal.remove(plan.holder)
  return { userName, oldKeyId: oldId, newKeyId: created.accessKeyId }
}

async function createKey(iam: IamPort, userName: string, plan: RotationPlan): Promise<AwsCredentials> {
  try {
    return await iam.createAccessKey({ userName })
  } catch (err) {
    if (err instanceof AwsCallError && err.code === 'LimitExceeded') {
      throw new AwsCallError(
        `IAM user "${userName}" already has two access keys, the most AWS allows`,
        'LimitExceeded',
        `delete the one that is not ${maskKey(plan.oldKeys.accessKeyId)} in the IAM console, then run: vault rotate ${plan.active}`,
        { cause: err },
      )
    }
    throw err
  }
}

/**
 * The journal only adds recovery: when it cannot be read or written (a full or read-only HOME), the
 * rotation goes on as aws-vault's does, in the same safe order, and says so under --debug.
 */
function bestEffort(journal: RotationJournal, log: Logger): RotationJournal {
  const tryTo = async <T>(what: string, fn: () => Promise<T>, otherwise: T): Promise<T> => {
    try {
      return await fn()
    } catch (err) {
      log.debug(`rotation journal: cannot ${what} (${messageOf(err)}); a rotation cut short now is not resumed`)
      return otherwise
    }
  }
  return {
    read: (holder) => tryTo('read it', () => journal.read(holder), undefined),
    write: (holder, entry) => tryTo('write it', () => journal.write(holder, entry), undefined),
    remove: (holder) => tryTo('remove its entry', () => journal.remove(holder), undefined),
  }
}
