/**
 * The seam every hand-out of credentials goes through, shared by the agent and the audit log.
 *
 * - A hand-out is credentials leaving vault for someone else: `exec`'s child, `export` /
 *   credential_process output, a server response, a `login` URL, an agent `serve` endpoint.
 * - The chain reports how it obtained them as `ObtainStep`s (ChainContext.trace), in order.
 * - `getCredentials` (src/usecases/get-credentials.ts) asks the agent first when one runs
 *   (`CredentialAgent`), else takes the direct path; either way it returns the steps and which
 *   path served them, so output is the same bytes either way and a test can tell the paths apart.
 * - Each hand-out site reports one `HandOut` to the runtime's `HandOutSink` (the audit log). A
 *   sink never throws and never fails or delays the request it records.
 *
 * Nothing here holds a secret for longer than the call: a sink must mask the access key id and
 * must never write the secret key, the session token, a code or a passphrase.
 */

import type { AwsCredentials } from '../aws/credentials.js'
import type { ResolvedProfile } from '../config/types.js'
import type { SessionKey } from './provider.js'

/** One step the chain took to obtain a hand-out's credentials. */
export type ObtainStep =
  /** A cached session or role credentials were reused. */
  | { kind: 'cache'; type: SessionKey['type']; profile: string }
  /** Long-term keys were read from the store. */
  | { kind: 'keys'; profile: string }
  /** A call to STS, IAM Identity Center or a credential_process; `mfaSerial` when a code was used. */
  | {
      kind: 'call'
      api: string
      profile: string
      roleArn?: string
      roleSessionName?: string
      sourceIdentity?: string
      mfaSerial?: string
      ssoAccountId?: string
      ssoRoleName?: string
    }

export type ObtainTrace = (step: ObtainStep) => void

/** Which path served a request. */
export type ServedBy = 'direct' | 'agent'

export type HandOutKind =
  | 'exec'
  | 'export'
  | 'credential_process'
  | 'ecs-server'
  | 'ec2-server'
  | 'login'
  | 'agent-serve'

/** Who asked: what the system can tell (on Linux, from /proc). */
export interface Requester {
  pid?: number
  uid?: number
  /** The executable's path. */
  exe?: string
  /** exec: the command's argv[0]. */
  argv0?: string
  /** credential_process: the parent's command line. */
  cmdline?: string[]
}

export interface HandOut {
  kind: HandOutKind
  profile: ResolvedProfile
  credentials: AwsCredentials
  steps: ObtainStep[]
  servedBy: ServedBy
  requester: Requester
}

/** Where hand-outs are reported. Never throws; a failure to record is a warning, not a failed request. */
export interface HandOutSink {
  record(handOut: HandOut): void | Promise<void>
}

export const noHandOuts: HandOutSink = { record() {} }
