import { createInterface } from 'node:readline'
import { MfaError } from '../errors.js'
import { openTerminal, type Terminal } from '../runtime/terminal.js'
import { isValidMfaCode } from './mfa-source.js'

const attempts = 3

/**
 * Asks for the code on the controlling terminal (/dev/tty), not on stdio: under botocore or the
 * JS SDK, vault's stdout and stderr are pipes, but the user's terminal is still there.
 * Asks again after a typo; gives up after three tries.
 */
export async function promptOnTerminal(serial: string, profile: string): Promise<string> {
  let tty: Terminal
  try {
    tty = await openTerminal()
  } catch {
    throw new MfaError(
      `profile "${profile}" needs an MFA code for ${serial}, and there is no terminal to ask on`,
      'pass -t/--mfa-token CODE, or set mfa_process in the profile',
    )
  }
  const { input, output } = tty
  const rl = createInterface({ input, output, terminal: false })
  try {
    for (let i = 0; i < attempts; i++) {
      output.write(`Enter MFA code for ${serial}: `)
      const line = await nextLine(rl)
      if (line === undefined) throw new MfaError('MFA prompt closed before a code was entered')
      const code = line.trim()
      if (isValidMfaCode(code)) return code
      output.write('An MFA code is six digits. ')
    }
    throw new MfaError(`profile "${profile}": no valid MFA code after ${attempts} tries`)
  } finally {
    rl.close()
    tty.close()
  }
}

function nextLine(rl: ReturnType<typeof createInterface>): Promise<string | undefined> {
  return new Promise((resolve) => {
    const onLine = (line: string) => {
      rl.off('close', onClose)
      resolve(line)
    }
    const onClose = () => {
      rl.off('line', onLine)
      resolve(undefined)
    }
    rl.once('line', onLine)
    rl.once('close', onClose)
  })
}
