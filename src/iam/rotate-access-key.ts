import { AwsCallError } from '../errors.js'
import type { Logger } from '../runtime/types.js'
import { type AwsCredentials, maskKey } from '../vault/credentials.js'
import type { IamFactory, IamPort, IamTarget } from './iam-port.js'
import type { RotationJournal } from './rotation-journal.js'
import { resumeInterrupted, rollBack, undoCreate } from './rotation-recovery.js'

/** The long-term key store, as rotation needs it. */
export interface KeyWriter {
  set(profile: string, creds: AwsCredentials): Promise<void>
}

export interface RotationDeps {
  keys: KeyWriter
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

  // Without iam:ListAccessKeys (aws-vault never needed it) the rotation goes on, without a journal.
  const keysBefore = await iam.listAccessKeys({ userName }).catch((err: unknown) => {
    deps.log.debug(`ListAccessKeys: ${messageOf(err)}; a rotation cut short now is not resumed`)
    return undefined
  })
  if (keysBefore) await deps.journal.write(plan.holder, { userName, oldKeyId: oldId, keysBefore })
  const created = await createKey(iam, userName, plan)
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
