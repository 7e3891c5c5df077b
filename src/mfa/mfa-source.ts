import { MfaError } from '../errors.js'

/** Where an MFA code comes from. `profile` is only for messages. */
export type MfaSource = (request: { serial: string; profile: string }) => Promise<string>

const sixDigits = /^\d{6}$/

export function isValidMfaCode(code: string): boolean {
  return sixDigits.test(code)
}

/** A code given on the command line (-t/--mfa-token): checked once, before any STS call. */
export function fixedCode(code: string): MfaSource {
  return async ({ profile }) => {
    const trimmed = code.trim()
    if (!isValidMfaCode(trimmed)) {
      throw new MfaError(
        `profile "${profile}": --mfa-token must be six digits`,
        'pass the current code from your MFA device',
      )
    }
    return trimmed
  }
}

/**
 * Tries each source in order and uses the first that is available. A source that is not
 * available returns undefined; one that fails throws. Ends with a clear error, never a hang.
 */
export function firstAvailable(
  sources: Array<(req: { serial: string; profile: string }) => Promise<string | undefined>>,
): MfaSource {
  return async (request) => {
    for (const source of sources) {
      const code = await source(request)
      if (code !== undefined) return code
    }
    throw new MfaError(
      `profile "${request.profile}" needs an MFA code for ${request.serial}, and there is no terminal to ask on`,
      'pass -t/--mfa-token CODE, or set mfa_process in the profile',
    )
  }
}
