import { maskKey } from '../output/mask.js'
import type { HandOut, HandOutKind, ObtainStep, Requester, ServedBy } from '../vault/hand-out.js'

/** The record format's version: `vault log` reads records of this version. */
export const RECORD_VERSION = 1

/**
 * One line of the hand-out log. It holds names, ARNs, pids and a masked key id, never a secret:
 * no secret key, session token, MFA code, passphrase or SSO token (the builder never reads them).
 */
export interface AuditRecord {
  v: typeof RECORD_VERSION
  /** ISO 8601, milliseconds. */
  time: string
  /** vault's version. */
  vault: string
  kind: HandOutKind
  profile: string
  /** The chain that served it, as configured. */
  chain: {
    sourceProfile?: string
    roleArn?: string
    roleSessionName?: string
    sourceIdentity?: string
    ssoAccountId?: string
    ssoRoleName?: string
  }
  /** How the credentials were obtained, in order; empty when a server reused what it already held. */
  steps: ObtainStep[]
  /** `****************ABCD` */
  accessKeyId: string
  /** ISO 8601; absent for long-term keys. */
  expiration?: string
  requester: Requester
  servedBy: ServedBy
}

/** Well under PIPE_BUF-sized writes, so one write(2) with O_APPEND is one whole line. */
export const MAX_RECORD_BYTES = 3072
const MAX_FIELD = 256
const MAX_ARGS = 32

/** The record for one hand-out: the secrets are never read, only the key id (masked) and expiry. */
export function buildRecord(h: HandOut, now: Date, vault: string): AuditRecord {
  const p = h.profile
  const chain: AuditRecord['chain'] = {
    sourceProfile: p.source?.name ?? p.sourceProfileName,
    roleArn: p.roleArn,
    roleSessionName: p.roleSessionName,
    sourceIdentity: p.sourceIdentity,
    ssoAccountId: p.ssoAccountId,
    ssoRoleName: p.ssoRoleName,
  }
  return {
    v: RECORD_VERSION,
    time: now.toISOString(),
    vault,
    kind: h.kind,
    profile: p.name,
    chain: dropUndefined(chain),
    steps: h.steps.map((s) => dropUndefined({ ...s })),
    accessKeyId: maskKey(h.credentials.accessKeyId),
    expiration: h.credentials.expiration?.toISOString(),
    requester: requesterOf(h.requester),
    servedBy: h.servedBy,
  }
}

/**
 * The record as one line, newline included, at most MAX_RECORD_BYTES: a long command line is cut
 * first, then any long value, so a record is never split across two writes.
 */
export function recordLine(record: AuditRecord): string {
  let line = `${JSON.stringify(record)}\n`
  if (Buffer.byteLength(line) <= MAX_RECORD_BYTES) return line
  const cut = { ...record, requester: { ...record.requester, cmdline: record.requester.cmdline?.slice(0, 4) } }
  line = `${JSON.stringify(cut, (_k, v) => (typeof v === 'string' ? clip(v, 64) : v))}\n`
  if (Buffer.byteLength(line) <= MAX_RECORD_BYTES) return line
  // Pathological (hundreds of steps): keep what says who got which key, and say it was cut.
  const { steps: _steps, ...rest } = cut
  return `${JSON.stringify({ ...rest, steps: [], truncated: true }, (_k, v) => (typeof v === 'string' ? clip(v, 64) : v))}\n`
}

function requesterOf(r: Requester): Requester {
  return dropUndefined({
    pid: r.pid,
    uid: r.uid,
    exe: r.exe === undefined ? undefined : clip(r.exe, MAX_FIELD),
    argv0: r.argv0 === undefined ? undefined : clip(r.argv0, MAX_FIELD),
    cmdline: r.cmdline?.slice(0, MAX_ARGS).map((a) => clip(a, MAX_FIELD)),
  })
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k]
  return o
}

/** Every kind of hand-out, checked against HandOutKind by the compiler: `vault log --kind` takes these. */
const kinds = {
  exec: true,
  export: true,
  credential_process: true,
  'ecs-server': true,
  'ec2-server': true,
  login: true,
  'agent-serve': true,
} satisfies Record<HandOutKind, true>
export const HAND_OUT_KINDS = Object.keys(kinds) as HandOutKind[]
