/**
 * A moto-like IAM for domain tests: users own access keys, at most two each; a call signed with a
 * key IAM does not know fails with InvalidClientTokenId (like AWS, unlike moto); every call is
 * recorded with the key that signed it. Hooks inject failures and slow propagation.
 */

import type { AwsCredentials } from '../../src/aws/credentials.js'
import { AwsCallError } from '../../src/errors.js'
import type { IamFactory, IamTarget } from '../../src/iam/iam-port.js'

export interface IamCall {
  op: string
  input: Record<string, unknown>
  signedWith: string
  target: IamTarget
}

export interface FakeIamOptions {
  /** Return an error to make this call fail (after it is recorded). */
  fail?: (call: IamCall) => Error | undefined
  /** A new key is refused (InvalidClientTokenId) for this many calls signed with it. */
  propagationCalls?: number
}

export function fakeIam(options: FakeIamOptions = {}) {
  const owners = new Map<string, string>() // access key id → user name
  const secrets = new Map<string, string>()
  const sessions = new Map<string, string>() // temporary access key id → user name
  const pending = new Map<string, number>() // new key id → refusals left
  const calls: IamCall[] = []
  let n = 0

  const addKey = (userName: string): AwsCredentials => {
    n += 1
    const accessKeyId = `AKIANEW${String(n).padStart(13, '0')}`
    const secretAccessKey = `new-secret-${n}`.padEnd(40, 'x')
    owners.set(accessKeyId, userName)
    secrets.set(accessKeyId, secretAccessKey)
    if (options.propagationCalls) pending.set(accessKeyId, options.propagationCalls)
    return { accessKeyId, secretAccessKey }
  }

  const factory: IamFactory = (creds, target) => {
    const run = async <T>(op: string, input: Record<string, unknown>, body: (caller: string) => T): Promise<T> => {
      const call = { op, input, signedWith: creds.accessKeyId, target }
      calls.push(call)
      const injected = options.fail?.(call)
      if (injected) throw injected
      const caller = creds.sessionToken ? sessions.get(creds.accessKeyId) : owners.get(creds.accessKeyId)
      const left = pending.get(creds.accessKeyId) ?? 0
      if (!caller || (!creds.sessionToken && secrets.get(creds.accessKeyId) !== creds.secretAccessKey)) {
        throw new AwsCallError(
          `${op}: AWS does not accept the access key (InvalidClientTokenId)`,
          'InvalidClientTokenId',
        )
      }
      if (left > 0) {
        pending.set(creds.accessKeyId, left - 1)
        throw new AwsCallError(
          `${op}: AWS does not accept the access key (InvalidClientTokenId)`,
          'InvalidClientTokenId',
        )
      }
      return body(caller)
    }
    return {
      getUser: () =>
        run('GetUser', {}, (caller) => ({ userName: caller, arn: `arn:aws:iam::111111111111:user/${caller}` })),
      createAccessKey: (input) =>
        run('CreateAccessKey', { ...input }, () => {
          if (keysOf(input.userName).length >= 2) {
            throw new AwsCallError(
              'CreateAccessKey failed: LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2',
              'LimitExceeded',
            )
          }
          return addKey(input.userName)
        }),
      deleteAccessKey: (input) =>
        run('DeleteAccessKey', { ...input }, () => {
          if (owners.get(input.accessKeyId) !== input.userName) {
            throw new AwsCallError(
              'DeleteAccessKey failed: NoSuchEntity: The Access Key cannot be found',
              'NoSuchEntity',
            )
          }
          owners.delete(input.accessKeyId)
          secrets.delete(input.accessKeyId)
        }),
      listAccessKeys: (input) => run('ListAccessKeys', { ...input }, () => keysOf(input.userName)),
    }
  }

  const keysOf = (userName: string) => [...owners].filter(([, u]) => u === userName).map(([id]) => id)

  return {
    factory,
    calls,
    ops: () => calls.map((c) => c.op),
    keysOf,
    /** An existing key of `userName`, as `aws iam create-access-key` would have made it. */
    seed(userName: string, creds: AwsCredentials) {
      owners.set(creds.accessKeyId, userName)
      secrets.set(creds.accessKeyId, creds.secretAccessKey)
    },
    /** Temporary credentials (a GetSessionToken session) of `userName`. */
    trustSession(userName: string, accessKeyId: string) {
      sessions.set(accessKeyId, userName)
    },
  }
}
