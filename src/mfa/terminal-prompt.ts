import { MfaError } from '../errors.js'
import { onTerminal } from '../terminal/prompt.js'
import { isValidMfaCode } from './mfa-source.js'

const attempts = 3

/**
 * Asks for the code on the controlling terminal (src/terminal/prompt.ts), not on stdio: under
 * botocore or the JS SDK, vault's stdout and stderr are pipes, but the user's terminal is still
 * there. Asks again after a typo; gives up after three tries.
 */
export function promptOnTerminal(serial: string, profile: string): Promise<string> {
  const noTerminal = () =>
    new MfaError(
      `profile "${profile}" needs an MFA code for ${serial}, and there is no terminal to ask on`,
      'pass -t/--mfa-token CODE, or set mfa_process in the profile',
    )
  return onTerminal({ noTerminal, cancelled: 'MFA prompt cancelled' }, async (c) => {
    for (let i = 0; i < attempts; i++) {
      const line = await c.line(`Enter MFA code for ${serial}: `)
      if (line === undefined) throw new MfaError('MFA prompt closed before a code was entered')
      const code = line.trim()
      if (isValidMfaCode(code)) return code
      c.print('An MFA code is six digits. ')
    }
    throw new MfaError(`profile "${profile}": no valid MFA code after ${attempts} tries`)
  })
}
