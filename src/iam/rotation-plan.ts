import type { AwsCredentials } from '../aws/credentials.js'
import type { ResolvedProfile } from '../config/types.js'
import { NotFoundError } from '../errors.js'
import { maskKey } from '../output/mask.js'
import { cachedProvider } from '../vault/cached-provider.js'
import type { ChainContext } from '../vault/chain.js'
import { masterKeysProvider } from '../vault/master-keys-provider.js'
import { sessionTokenProvider } from '../vault/session-token-provider.js'
import { stsTarget } from '../vault/sts-target.js'
import { iamTarget } from './iam-target.js'
import type { RotationPlan } from './rotate-access-key.js'

/**
 * The profiles from `active` down to the one whose long-term keys are stored, following
 * source_profile to any depth, as the credential chain does (a profile with stored keys wins).
 */
export async function keyHolderChain(active: ResolvedProfile, keys: ChainContext['keys']): Promise<ResolvedProfile[]> {
  const chain: ResolvedProfile[] = []
  for (let p: ResolvedProfile | undefined = active; p; p = p.source) {
    chain.push(p)
    if (await keys.has(p.name)) return chain
  }
  const last = chain[chain.length - 1]
  const whose =
    last.name === active.name ? `profile "${active.name}"` : `profile "${active.name}": source profile "${last.name}"`
  throw new NotFoundError(
    `${whose} has no long-term keys in the keychain to rotate`,
    `vault rotates keys stored with: vault add ${last.name}`,
  )
}

/**
 * Decides what rotating `active` means: which stored keys, and which credentials sign the IAM calls.
 * Like aws-vault, sessions are used by default, because an IAM policy may demand MFA for IAM calls;
 * --no-session signs with the long-term keys themselves.
 */
export async function planRotation(active: ResolvedProfile, ctx: ChainContext): Promise<RotationPlan> {
  const chain = await keyHolderChain(active, ctx.keys)
  const holder = chain[chain.length - 1]
  const keysProvider = masterKeysProvider(ctx.keys, holder.name, active.name)
  const oldKeys = await keysProvider.retrieve()
  const base = {
    active: active.name,
    holder: holder.name,
    chain: chain.map((p) => p.name),
    oldKeys,
    target: iamTarget(holder, ctx.env),
  }
  ctx.log.debug(
    `profile ${active.name}: rotating the access key ${maskKey(oldKeys.accessKeyId)} stored for profile ${holder.name}`,
  )
  if (ctx.noSession) {
    ctx.log.debug(`profile ${holder.name}: calling IAM with the long-term keys (--no-session)`)
    return { ...base, caller: oldKeys, deleteWithNewKey: true }
  }
  const serial = holder.mfaSerial ?? chain.find((p) => p.mfaSerial)?.mfaSerial
  if (!serial) {
    // GetSessionToken credentials can call IAM only when the request carried MFA.
    ctx.log.debug(
      `profile ${holder.name}: calling IAM with the long-term keys: there is no mfa_serial, and a session without MFA cannot call IAM`,
    )
    return { ...base, caller: oldKeys, deleteWithNewKey: true }
  }
  ctx.log.debug(`profile ${holder.name}: calling IAM with a GetSessionToken session with MFA ${serial}`)
  const caller = await mfaSession(holder, active, serial, ctx, oldKeys).retrieve()
  return { ...base, caller, deleteWithNewKey: false }
}

/** The same cached MFA session the credential chain uses, so a code typed today is not asked again. */
function mfaSession(
  holder: ResolvedProfile,
  active: ResolvedProfile,
  serial: string,
  ctx: ChainContext,
  oldKeys: AwsCredentials,
) {
  const provider = sessionTokenProvider({
    source: { description: `long-term keys of ${holder.name}`, retrieve: async () => oldKeys },
    profile: holder.name,
    durationSeconds:
      holder.name === active.name ? holder.getSessionTokenDuration : holder.chainedGetSessionTokenDuration,
    mfaSerial: serial,
    mfa: ctx.mfa,
    sts: ctx.sts,
    target: stsTarget(holder, ctx.env),
    log: ctx.log,
  })
  return cachedProvider(provider, {
    cache: ctx.sessions,
    key: { type: 'sts.GetSessionToken', profile: holder.name, mfaSerial: serial },
    clock: ctx.clock,
    log: ctx.log,
    windowSeconds: ctx.windowSeconds,
    lock: ctx.lock,
  })
}
