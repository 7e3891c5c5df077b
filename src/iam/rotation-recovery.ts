import { AwsCallError, StoreError, VaultError } from '../errors.js'
import { type AwsCredentials, maskKey } from '../vault/credentials.js'
import type { IamPort } from './iam-port.js'
import type { RotationDeps, RotationPlan } from './rotate-access-key.js'

// What rotation does when a step fails after the new key exists, so that vault never ends with
// no working key, and says exactly what is left when even the recovery fails.

/** Storing failed: delete the new key at AWS, so the old key stays the only one, stored and working. */
export async function undoCreate(
  iam: IamPort,
  userName: string,
  created: AwsCredentials,
  plan: RotationPlan,
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
  throw new AwsCallError(
    `profile "${plan.holder}": AWS did not accept the new access key ${newKey} within ${seconds} s (${code}), so the rotation was rolled back: the old key ${oldKey} is stored again and the new key was deleted`,
    code,
    `try again in a minute: vault rotate ${plan.active}`,
  )
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
