import type { AwsCredentials } from '../aws/credentials.js'
import { AwsCallError, StoreError } from '../errors.js'
import { maskKey } from '../output/mask.js'
import type { Logger } from '../runtime/types.js'
import type { IamFactory, IamPort, IamTarget } from './iam-port.js'
import type { RotationJournal } from './rotation-journal.js'

// The steps a rotation and its recovery share, and their types: rotate-access-key.ts runs them in
// order, rotation-recovery.ts finishes or undoes what a killed rotation left. Both import this
// file; neither imports the other's values.

/** The long-term key store, as rotation needs it. */
export interface KeyWriter {
  set(profile: string, creds: AwsCredentials): Promise<void>
}

export interface RotationDeps {
  keys: KeyWriter
  /** Whether any profile's stored long-term key is this access key id. */
  isStored(accessKeyId: string): Promise<boolean>
  /** Removes the cached sessions of one profile; resolves to how many. */
  removeSessions(profile: string): Promise<number>
  /** What a rotation killed half-way left, so the next one can finish or undo it. */
  journal: RotationJournal
  iam: IamFactory
  sleep(ms: number): Promise<void>
  log: Logger
  /** One progress line for the user (stderr). */
  say(line: string): void
}

export interface RotationPlan {
  /** The profile asked for, named in hints. */
  active: string
  /** The profile whose stored keys are rotated. */
  holder: string
  /** Every profile from `active` down to `holder`: their cached sessions were made with the old keys. */
  chain: string[]
  oldKeys: AwsCredentials
  /** Signs GetUser, CreateAccessKey and any clean-up: the old keys, or an MFA session made with them. */
  caller: AwsCredentials
  /** Where the IAM calls go. */
  target: IamTarget
  /** --no-session: sign the deletion of the old key with the new one, which proves the new key works first. */
  deleteWithNewKey: boolean
}

export interface RotationResult {
  userName: string
  oldKeyId: string
  newKeyId: string
}

/** A new key can take a few seconds to be accepted everywhere: aws-vault retries for 20 s, every 2 s. */
export const propagation = { attempts: 10, delayMs: 2000 }

/** Errors a key that is still propagating produces, and a flaky network. */
const propagating = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'NetworkError'])

/** Removes the cached sessions of every profile on the chain: they were made with the old key. */
export async function removeChainSessions(plan: RotationPlan, deps: RotationDeps): Promise<void> {
  for (const name of plan.chain) {
    try {
      const n = await deps.removeSessions(name)
      if (n > 0) deps.say(`Removed ${n} cached session${n === 1 ? '' : 's'} of profile ${name}`)
    } catch (err) {
      // Not worth failing over: the old key still exists, and stale sessions only expire early.
      deps.say(`Could not remove the cached sessions of profile ${name} (${messageOf(err)}); run: vault clear ${name}`)
    }
  }
}

export async function deleteOldKey(
  iam: IamPort,
  userName: string,
  created: AwsCredentials,
  plan: RotationPlan,
  deps: RotationDeps,
): Promise<void> {
  const oldId = plan.oldKeys.accessKeyId
  const signer = plan.deleteWithNewKey ? deps.iam(created, plan.target) : iam
  try {
    await withPropagationRetry(() => signer.deleteAccessKey({ userName, accessKeyId: oldId }), deps)
    deps.say(`Deleted old access key ${maskKey(oldId)}`)
  } catch (err) {
    const code = err instanceof AwsCallError ? err.code : undefined
    if (code === 'NoSuchEntity') {
      deps.say(`Old access key ${maskKey(oldId)} was already deleted`)
      return
    }
    if (plan.deleteWithNewKey && code && propagating.has(code) && code !== 'NetworkError') {
      return rollBack(iam, userName, created, plan, deps, code, (propagation.attempts * propagation.delayMs) / 1000)
    }
    throw new AwsCallError(
      `profile "${plan.holder}": the new access key ${maskKey(created.accessKeyId)} is stored, but deleting the old key ${maskKey(oldId)} failed: ${messageOf(err)}`,
      code,
      `delete ${maskKey(oldId)} of IAM user ${userName} in the IAM console or with: aws iam delete-access-key --user-name ${userName} --access-key-id ID`,
      { cause: err },
    )
  }
}

async function withPropagationRetry(fn: () => Promise<void>, deps: RotationDeps): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      const code = err instanceof AwsCallError ? err.code : undefined
      if (!code || !propagating.has(code) || attempt >= propagation.attempts) throw err
      deps.log.debug(
        `DeleteAccessKey: ${code}, the new key may still be propagating; retry ${attempt} in ${propagation.delayMs / 1000}s`,
      )
      await deps.sleep(propagation.delayMs)
    }
  }
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

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
