import { Flags } from '@oclif/core'
import { parseDuration } from '../config/duration.js'
import { UsageError } from '../errors.js'

/** Flags shared by exec, export and login: how the credentials are made. */
export const credentialFlags = {
  duration: Flags.string({
    char: 'd',
    summary: 'Duration of the temporary credentials, e.g. 1h, 90m, 3600.',
    parse: async (input) => {
      try {
        return String(parseDuration(input))
      } catch {
        throw new UsageError(`--duration "${input}" is not a duration: use 1h, 90m, 1h30m or seconds`)
      }
    },
  }),
  'mfa-token': Flags.string({ char: 't', summary: 'The current MFA code, instead of a prompt.' }),
  'no-browser': Flags.boolean({
    summary: 'SSO: show the sign-in URL and code, but do not open a browser.',
  }),
  'no-session': Flags.boolean({
    char: 'n',
    summary: 'Skip GetSessionToken: use the long-term keys (or assume roles straight from them).',
  }),
  region: Flags.string({ summary: 'The AWS region, overriding the profile and AWS_REGION.' }),
}

export function credentialRequest(
  profile: string,
  flags: { duration?: string; 'mfa-token'?: string; 'no-browser'?: boolean; 'no-session': boolean; region?: string },
) {
  return {
    profile,
    region: flags.region,
    duration: flags.duration === undefined ? undefined : Number(flags.duration),
    mfaToken: flags['mfa-token'],
    noSession: flags['no-session'],
    noBrowser: flags['no-browser'],
  }
}
