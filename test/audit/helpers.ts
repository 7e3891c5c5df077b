/** A hand-out as the sites report it, for the audit log's tests. */
import type { ResolvedProfile } from '../../src/config/types.js'
import type { HandOut } from '../../src/vault/hand-out.js'

/** The secrets of `sampleHandOut`: none of them may reach the log. */
export const sampleSecrets = {
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRET01',
  sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKENzzzz0001',
}

export function sampleHandOut(extra: Partial<HandOut> = {}): HandOut {
  const source = { name: 'caktus' } as ResolvedProfile
  const profile = {
    name: 'saguaro',
    source,
    roleArn: 'arn:aws:iam::222222222222:role/Dev',
    roleSessionName: 'alice',
  } as ResolvedProfile
  return {
    kind: 'exec',
    profile,
    credentials: {
      accessKeyId: 'ASIAEXAMPLE00000WXYZ',
      ...sampleSecrets,
      expiration: new Date('2026-12-06T12:00:00Z'),
    },
    steps: [{ kind: 'cache', type: 'sts.AssumeRole', profile: 'saguaro' }],
    servedBy: 'direct',
    requester: { argv0: 'aws', pid: 4242 },
    ...extra,
  }
}
