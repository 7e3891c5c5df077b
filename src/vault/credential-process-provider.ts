import { AwsCallError } from '../errors.js'
import { OutputFailure, readOutput } from '../exec/read-output.js'
import type { Clock, Env } from '../runtime/types.js'
import type { AwsCredentials } from './credentials.js'
import type { ObtainTrace } from './hand-out.js'
import type { CredentialProvider } from './provider.js'

export interface CredentialProcessOptions {
  profile: string
  command: string
  env: Env
  clock: Clock
  /** 120 s unless a test says otherwise. */
  timeoutMs?: number
  trace?: ObtainTrace
}

/** A stuck helper must not hang vault (nor every SDK call waiting on it). */
const timeoutMs = 120_000
/** The JSON is a few KiB; more is a mistake (the AWS CLI and SDKs read it whole, too). */
const maxOutput = 1024 * 1024

/**
 * Runs a profile's credential_process through the shell and checks the Version 1 JSON it prints.
 * It runs under mfa_process's rules (src/exec/read-output.ts): vault is done when it exits, even
 * if a background child it started holds stdout; a deadline; and an output cap.
 */
export function credentialProcessProvider(o: CredentialProcessOptions): CredentialProvider {
  return {
    description: `credential_process of ${o.profile}`,
    retrieve: async () => {
      let stdout: string
      try {
        stdout = await readOutput({
          command: o.command,
          shell: true,
          env: o.env,
          timeoutMs: o.timeoutMs ?? timeoutMs,
          maxStdout: maxOutput,
        })
      } catch (err) {
        if (!(err instanceof OutputFailure)) throw err
        throw new AwsCallError(
          `profile "${o.profile}": credential_process ${err.why}`,
          err.tooLarge ? 'CredentialProcessInvalid' : 'CredentialProcessFailed',
          err.tooLarge
            ? 'make credential_process print only the JSON described in the AWS CLI docs'
            : 'run the credential_process command by hand to see why',
          { cause: err.cause },
        )
      }
      const creds = parseProcessCredentials(o.profile, stdout, o.clock.now())
      o.trace?.({ kind: 'call', api: 'credential_process', profile: o.profile })
      return creds
    },
  }
}

/**
 * Checks credential_process output as the AWS SDKs do (aws-sdk-js-v3
 * getValidatedProcessCredentials, botocore ProcessProvider): "Version": 1, AccessKeyId and
 * SecretAccessKey present, Expiration (when given) a time, and not already past. Each failure
 * names the profile and what is wrong.
 */
export function parseProcessCredentials(profile: string, stdout: string, now: Date): AwsCredentials {
  const invalid = (what: string, hint = 'make credential_process print the JSON described in the AWS CLI docs') =>
    new AwsCallError(`profile "${profile}": credential_process ${what}`, 'CredentialProcessInvalid', hint)
  let out: unknown
  try {
    out = JSON.parse(stdout)
  } catch {
    throw invalid('printed something that is not JSON')
  }
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw invalid('printed JSON that is not an object')
  const data = out as Record<string, unknown>
  if (data.Version === undefined) throw invalid('output has no "Version"; it must say "Version": 1')
  if (data.Version !== 1) throw invalid(`output has "Version": ${JSON.stringify(data.Version)}; only 1 is understood`)
  const missing = ['AccessKeyId', 'SecretAccessKey'].filter((k) => typeof data[k] !== 'string' || data[k] === '')
  if (missing.length > 0) throw invalid(`output has no ${missing.join(' and no ')}`)
  const sessionToken = data.SessionToken
  if (sessionToken !== undefined && sessionToken !== null && typeof sessionToken !== 'string')
    throw invalid('output has a SessionToken that is not a string')
  let expiration: Date | undefined
  if (data.Expiration !== undefined && data.Expiration !== null && data.Expiration !== '') {
    expiration = typeof data.Expiration === 'string' ? new Date(data.Expiration) : undefined
    if (!expiration || Number.isNaN(expiration.getTime()))
      throw invalid(`output has an Expiration that is not an ISO 8601 time: ${JSON.stringify(data.Expiration)}`)
    if (expiration.getTime() <= now.getTime())
      throw invalid(
        `returned credentials that expired at ${expiration.toISOString()}`,
        'the command may be serving a stale cache; run it by hand, and check the clock',
      )
  }
  return {
    accessKeyId: data.AccessKeyId as string,
    secretAccessKey: data.SecretAccessKey as string,
    sessionToken: typeof sessionToken === 'string' && sessionToken !== '' ? sessionToken : undefined,
    expiration,
  }
}
