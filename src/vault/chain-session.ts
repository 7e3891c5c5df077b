import { formatDuration } from '../config/duration.js'
import type { ResolvedProfile } from '../config/types.js'
import { cacheLink } from './chain-cache.js'
import { type Link, roleChainingMaxSeconds, type Walk } from './chain-context.js'
import type { SessionKey } from './provider.js'
import { sessionTokenProvider } from './session-token-provider.js'
import { stsTarget } from './sts-target.js'

// The GetSessionToken decision: whether a profile's long-term keys get a session over them, with
// which MFA serial and for how long (aws-vault's primeWithGetSessionToken, canUseGetSessionToken).

/**
 * Whether profile p puts a GetSessionToken session over the long-term keys it has (its own, or
 * handed up by a source profile without role_arn), as aws-vault's primeWithGetSessionToken and
 * canUseGetSessionToken decide, with one deliberate difference: a role's mfa_serial is carried by
 * the session over its source's keys even when the source has no mfa_serial, so one MFA session
 * serves every role with that source and serial (aws-vault prompts per role then).
 */
export function prime(p: ResolvedProfile, keys: Link, walk: Walk, path: ResolvedProfile[]): Link {
  const { ctx } = walk
  const skip = (reason: string): Link => {
    ctx.log.debug(`profile ${p.name}: skipping GetSessionToken because ${reason}`)
    if (p.mfaSerial && !walk.mfaSkipped.has(p.name)) walk.mfaSkipped.set(p.name, reason)
    return keys
  }
  if (ctx.noSession) return skip('--no-session disables sessions')
  const long = singleLongRole([p, ...path])
  if (long) {
    return skip(
      `role ${long.name} asks for ${formatDuration(long.assumeRoleDuration)}, and AWS caps a role assumed with a session at 1h; assuming it with the long-term keys keeps the full duration`,
    )
  }
  const handedOut = ![p, ...path].some((q) => q.roleArn)
  const consumer = path[0]
  if (!consumer || (!consumer.roleArn && p.roleArn)) {
    // The session itself is handed out...
    if (!p.roleArn) return session(p, p.mfaSerial, walk, keys, true, '')
    // ...or p's role makes the credentials handed out (directly, or through profiles without role_arn).
    if (!p.mfaSerial) return skip(`profile '${p.name}' has no MFA serial defined`)
    return session(p, p.mfaSerial, walk, keys, false, ' (shared MFA session for its role)')
  }
  if (consumer.roleArn) {
    // Source of a role: the session carries the role's serial when the source has none or the
    // same one; a source with a different serial keeps its own, and the role then needs its own MFA.
    const serial = p.mfaSerial ?? consumer.mfaSerial
    if (!serial) return skip(`profile '${consumer.name}' has no MFA serial defined`)
    const shared = serial === consumer.mfaSerial
    return session(p, serial, walk, keys, false, shared ? ', a shared MFA session for its roles (chained MFA)' : '')
  }
  // Source of a profile without role_arn: a session here only when both carry the same serial;
  // otherwise the keys go up, and the profile above makes its own session with its own serial.
  if (p.mfaSerial && p.mfaSerial === consumer.mfaSerial)
    return session(p, p.mfaSerial, walk, keys, handedOut, ' (chained MFA)')
  if (!p.mfaSerial) {
    ctx.log.debug(`profile ${p.name}: leaving GetSessionToken to profile ${consumer.name}, which uses these keys`)
    return keys
  }
  return skip(
    consumer.mfaSerial
      ? `MFA serial doesn't match profile '${consumer.name}'`
      : `profile '${consumer.name}' has no MFA serial defined`,
  )
}

/** aws-vault's assumeRoleKeepsFullDuration: the one role of the chain, when it asks for more than 1 h. */
function singleLongRole(profiles: ResolvedProfile[]): ResolvedProfile | undefined {
  const roles = profiles.filter((q) => q.roleArn)
  const role = roles[0]
  return roles.length === 1 && role && role.assumeRoleDuration > roleChainingMaxSeconds ? role : undefined
}

/** A GetSessionToken session of p's keys: handed out (p's own duration) or a source (chained duration). */
function session(
  p: ResolvedProfile,
  serial: string | undefined,
  walk: Walk,
  keys: Link,
  handedOut: boolean,
  note: string,
): Link {
  const { ctx } = walk
  const durationSeconds = handedOut ? p.getSessionTokenDuration : p.chainedGetSessionTokenDuration
  ctx.log.debug(
    `profile ${p.name}: using GetSessionToken${serial ? ` with MFA ${serial}` : ' without MFA'}${note}, for ${formatDuration(durationSeconds)}`,
  )
  if (serial) walk.mfaUsed.add(serial)
  const provider = sessionTokenProvider({
    source: keys.provider,
    profile: p.name,
    durationSeconds,
    mfaSerial: serial,
    mfa: ctx.mfa,
    sts: ctx.sts,
    target: stsTarget(p, ctx.env),
    log: ctx.log,
    trace: ctx.trace,
  })
  const key: SessionKey = { type: 'sts.GetSessionToken', profile: p.name, mfaSerial: serial ?? '' }
  return {
    provider: cacheLink(provider, key, walk, handedOut ? durationSeconds : undefined, p),
    kind: 'session',
    mfaUsed: serial,
  }
}
