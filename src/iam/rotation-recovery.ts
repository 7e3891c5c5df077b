import { AwsCallError, StoreError, VaultError } from '../errors.js'
import { type AwsCredentials, maskKey } from '../vault/credentials.js'
import type { IamPort } from './iam-port.js'
import {
  deleteOldKey,
  type RotationDeps,
  type RotationPlan,
  type RotationResult,
  removeChainSessions,
} from './rotate-access-key.js'
import type { RotationEntry } from './rotation-journal.js'

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

/** AWS never accepted the new key: store the old key again and delete the new one, signed with the old. */
export async function rollBack(
  iam: IamPort,
  userName: string,
  created: AwsCredentials,
  plan: RotationPlan,
  deps: RotationDeps,
  code: string,
  seconds: number,
): Promise<never> {
  const newKey = maskKey(created.accessKeyId)
  const oldKey = maskKey(plan.oldKeys.accessKeyId)
  deps.say(`AWS did not accept the new access key ${newKey} within ${seconds} s (${code}): rolling back`)
  try {
    await deps.keys.set(plan.holder, plan.oldKeys)
  } catch (err) {
    throw new StoreError(
      `profile "${plan.holder}": AWS does not accept the new access key ${newKey}, and storing the old key ${oldKey} again failed: ${messageOf(err)}`,
      err instanceof StoreError ? err.reason : 'unavailable',
      `both keys still exist at AWS; check IAM user ${userName} in the IAM console and store a working key with: vault add ${plan.holder}`,
      { cause: err },
    )
  }
  try {
    await iam.deleteAccessKey({ userName, accessKeyId: created.accessKeyId })
  } catch (err) {
    throw new AwsCallError(
      `profile "${plan.holder}": AWS does not accept the new access key ${newKey}; the old key ${oldKey} is stored again, but deleting the new key failed: ${messageOf(err)}`,
      code,
      `delete ${newKey} of IAM user ${userName} in the IAM console or with: aws iam delete-access-key --user-name ${userName} --access-key-id ID`,
      { cause: err },
    )
  }
  await deps.journal.remove(plan.holder)
  throw new AwsCallError(
    `profile "${plan.holder}": AWS did not accept the new access key ${newKey} within ${seconds} s (${code}), so the rotation was rolled back: the old key ${oldKey} is stored again and the new key was deleted`,
    code,
    `try again in a minute: vault rotate ${plan.active}`,
  )
}

/**
 * A rotation of this profile was killed between CreateAccessKey and the deletion of the old key: its
 * journal entry is still there. Either the new key was never stored, and nobody can use it: delete
 * it at AWS and rotate afresh (resolves to undefined). Or the new key is stored: clear the chain's
 * sessions and delete the old key, which finishes that rotation.
 */
export async function resumeInterrupted(
  iam: IamPort,
  userName: string,
  entry: RotationEntry,
  plan: RotationPlan,
  deps: RotationDeps,
): Promise<RotationResult | undefined> {
  const stored = plan.oldKeys.accessKeyId
  // Keys stored since (vault add) or another user's: the entry no longer describes this profile.
  const stale = entry.userName !== userName || (stored !== entry.oldKeyId && entry.keysBefore.includes(stored))
  if (stale) {
    deps.log.debug(`profile ${plan.holder}: ignoring the journal of an earlier rotation, the stored key has changed`)
    await deps.journal.remove(plan.holder)
    return undefined
  }
  const now = await iam.listAccessKeys({ userName })
  if (stored === entry.oldKeyId) {
    for (const id of now) {
      if (id === stored || entry.keysBefore.includes(id)) continue
      try {
        await iam.deleteAccessKey({ userName, accessKeyId: id })
      } catch (err) {
        if (!(err instanceof AwsCallError && err.code === 'NoSuchEntity')) throw err
      }
      deps.say(`Deleted access key ${maskKey(id)}: an interrupted rotation created it and never stored it`)
    }
    await deps.journal.remove(plan.holder)
    return undefined
  }
  deps.say(
    `Finishing an interrupted rotation of profile ${plan.holder}: the new access key ${maskKey(stored)} is stored`,
  )
  await removeChainSessions(plan, deps)
  if (now.includes(entry.oldKeyId)) {
    // Signed with what signs the rest (the stored key, or a session made with it): no roll-back here.
    const old = { accessKeyId: entry.oldKeyId, secretAccessKey: '' }
    await deleteOldKey(iam, userName, plan.oldKeys, { ...plan, oldKeys: old, deleteWithNewKey: false }, deps)
  }
  await deps.journal.remove(plan.holder)
  return { userName, oldKeyId: entry.oldKeyId, newKeyId: stored }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
