import type { AwsCredentials } from '../aws/credentials.js'
import { AwsCallError, StoreError, VaultError } from '../errors.js'
import { maskKey } from '../output/mask.js'
import type { IamPort } from './iam-port.js'
import type { RotationEntry } from './rotation-journal.js'
import {
  deleteOldKey,
  messageOf,
  type RotationDeps,
  type RotationPlan,
  type RotationResult,
  removeChainSessions,
} from './rotation-steps.js'

// What rotation does when a step fails after the new key exists, so that vault never ends with
// no working key, and says exactly what is left when even the recovery fails.

/** Storing failed: delete the new key at AWS, so the old key stays the only one, stored and working. */
export async function undoCreate(
  iam: IamPort,
  userName: string,
  created: AwsCredentials,
  plan: RotationPlan,
  deps: Pick<RotationDeps, 'journal'>,
  storeErr: unknown,
): Promise<never> {
  const newKey = maskKey(created.accessKeyId)
  const oldKey = maskKey(plan.oldKeys.accessKeyId)
  const reason = storeErr instanceof StoreError ? storeErr.reason : 'unavailable'
  try {
    await iam.deleteAccessKey({ userName, accessKeyId: created.accessKeyId })
  } catch (cleanupErr) {
    throw new StoreError(
      `profile "${plan.holder}": could not store the new access key ${newKey} (${messageOf(storeErr)}), and deleting it at AWS failed too (${messageOf(cleanupErr)})`,
      reason,
      `the old key ${oldKey} is still stored and works; delete ${newKey} of IAM user ${userName} in the IAM console or with: aws iam delete-access-key --user-name ${userName} --access-key-id ID`,
      { cause: storeErr },
    )
  }
  await deps.journal.remove(plan.holder)
  const hint = storeErr instanceof VaultError && storeErr.hint ? `${storeErr.hint}; ` : ''
  throw new StoreError(
    `profile "${plan.holder}": could not store the new access key (${messageOf(storeErr)}); it was deleted at AWS, and the old key ${oldKey} is still stored and works`,
    reason,
    `${hint}then run: vault rotate ${plan.active}`,
    { cause: storeErr },
  )
}

/**
 * A rotation of this profile was killed between CreateAccessKey and the deletion of the old key: its
 * journal entry is still there. Either the key it created was never stored: delete that key at AWS
 * (only that key, only when no profile stores it) and rotate afresh (resolves to undefined). Or it
 * is stored: clear the chain's sessions and delete the old key, which finishes that rotation. Any
 * other key of the user (one made for CI since, say) is named and left alone (issue 28).
 */
export async function resumeInterrupted(
  iam: IamPort,
  userName: string,
  entry: RotationEntry,
  plan: RotationPlan,
  deps: RotationDeps,
): Promise<RotationResult | undefined> {
  const stored = plan.oldKeys.accessKeyId
  const created = entry.createdKeyId
  const finishing = created !== undefined && stored === created
  if (entry.userName !== userName || (stored !== entry.oldKeyId && !finishing)) {
    // Keys stored since (vault add) or another user's: the entry no longer describes this profile.
    deps.log.debug(`profile ${plan.holder}: ignoring the journal of an earlier rotation, the stored key has changed`)
    await deps.journal.remove(plan.holder)
    return undefined
  }
  // Without iam:ListAccessKeys (aws-vault never needed it) there is just no report of other keys.
  const now = await iam.listAccessKeys({ userName }).catch((err: unknown) => {
    deps.log.debug(`ListAccessKeys: ${messageOf(err)}`)
    return undefined
  })
  if (!finishing) {
    if (created && (await deps.isStored(created).catch(() => true)))
      deps.say(`Kept access key ${maskKey(created)}: an interrupted rotation created it, and a profile stores it`)
    else if (created) await deleteUnstored(iam, userName, created, deps)
    reportOthers(now, [stored, created], userName, deps)
    await deps.journal.remove(plan.holder)
    return undefined
  }
  deps.say(
    `Finishing an interrupted rotation of profile ${plan.holder}: the new access key ${maskKey(stored)} is stored`,
  )
  await removeChainSessions(plan, deps)
  if (now === undefined || now.includes(entry.oldKeyId)) {
    // Signed with what signs the rest (the stored key, or a session made with it): no roll-back here.
    const old = { accessKeyId: entry.oldKeyId, secretAccessKey: '' }
    await deleteOldKey(iam, userName, plan.oldKeys, { ...plan, oldKeys: old, deleteWithNewKey: false }, deps)
  }
  reportOthers(now, [stored, entry.oldKeyId], userName, deps)
  await deps.journal.remove(plan.holder)
  return { userName, oldKeyId: entry.oldKeyId, newKeyId: stored }
}

async function deleteUnstored(iam: IamPort, userName: string, id: string, deps: RotationDeps): Promise<void> {
  try {
    await iam.deleteAccessKey({ userName, accessKeyId: id })
    deps.say(`Deleted access key ${maskKey(id)}: an interrupted rotation created it and never stored it`)
  } catch (err) {
    if (!(err instanceof AwsCallError && err.code === 'NoSuchEntity')) throw err
  }
}

/** Keys of the user this rotation did not make: named, never deleted. */
function reportOthers(now: string[] | undefined, known: (string | undefined)[], userName: string, deps: RotationDeps) {
  for (const id of now ?? []) {
    if (known.includes(id)) continue
    deps.say(`Left access key ${maskKey(id)} of IAM user ${userName} alone: no rotation by vault created it`)
  }
}
