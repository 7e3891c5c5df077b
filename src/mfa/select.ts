import { MfaError, UsageError } from '../errors.js'
import type { Env, Logger } from '../runtime/types.js'
import { fixedCode, type MfaSource } from './mfa-source.js'

/**
 * aws-vault's prompt driver names (prompt/*.go: terminal, ykman, pass, and the dialogs zenity,
 * kdialog, osascript and wincredui). Every name is accepted; a driver whose program is missing is
 * an error only when a code is actually needed, so a cache hit works whatever AWS_VAULT_PROMPT says.
 */
export const promptDrivers = ['terminal', 'ykman', 'pass', 'zenity', 'kdialog', 'osascript', 'wincredui'] as const
export type PromptDriver = (typeof promptDrivers)[number]

export interface MfaSelection {
  /** -t/--mfa-token */
  token?: string
  /** mfa_process of the profile asking for the code, if any. */
  mfaProcessFor(profile: string): string | undefined
  /** --prompt / AWS_VAULT_PROMPT */
  driver?: string
  env: Env
  hasTerminal: boolean
  /** For the dialog driver (osascript on macOS, zenity or kdialog elsewhere). */
  platform: NodeJS.Platform
  log: Logger
}

/**
 * Where an MFA code comes from, in order: --mfa-token, mfa_process, then the prompt driver
 * (the terminal by default, or a dialog when there is no terminal and one is installed).
 * With no terminal and nothing else, it fails at once.
 */
export function selectMfaSource(s: MfaSelection): MfaSource {
  const driver = s.driver || 'terminal'
  if (!(promptDrivers as readonly string[]).includes(driver)) {
    throw new UsageError(`unknown prompt driver "${driver}"`, `use one of: ${promptDrivers.join(', ')}`)
  }
  const token = s.token !== undefined ? fixedCode(s.token) : undefined
  let tokenUsed = false
  return async (request) => {
    // A TOTP code is single-use at AWS, so --mfa-token answers only the first request.
    if (token && !tokenUsed) {
      tokenUsed = true
      s.log.debug(`profile ${request.profile}: MFA code from --mfa-token`)
      return token(request)
    }
    try {
      return await fromOtherSources(request)
    } catch (err) {
      // "pass -t" is no advice when -t was given: its code answered an earlier request.
      if (!(token && err instanceof MfaError && err.hint?.includes('--mfa-token'))) throw err
      throw new MfaError(
        `profile "${request.profile}" needs another MFA code for ${request.serial}: the -t/--mfa-token code was used already (AWS takes each code once), and there is no terminal to ask on`,
        'run again with the next code (-t/--mfa-token CODE), or set mfa_process in the profile',
        { cause: err },
      )
    }
  }

  async function fromOtherSources(request: { serial: string; profile: string }): Promise<string> {
    const command = s.mfaProcessFor(request.profile)
    if (command) {
      s.log.debug(`profile ${request.profile}: MFA code from mfa_process`)
      const { runMfaProcess } = await import('./mfa-process.js')
      return runMfaProcess({ command, profile: request.profile, env: s.env, log: s.log })
    }
    if (driver === 'ykman') {
      s.log.debug(`profile ${request.profile}: MFA code from ykman`)
      const { ykmanCode } = await import('./ykman.js')
      return ykmanCode(request.serial, request.profile, s.env)
    }
    if (driver === 'pass') {
      s.log.debug(`profile ${request.profile}: MFA code from pass otp`)
      const { passCode } = await import('./pass.js')
      return passCode(request.serial, request.profile, s.env)
    }
    if (driver === 'wincredui') {
      throw new MfaError(
        `profile "${request.profile}" needs an MFA code, and vault has no wincredui prompt`,
        'use --prompt terminal (or a dialog: zenity, kdialog, osascript)',
      )
    }
    if (driver === 'zenity' || driver === 'kdialog' || driver === 'osascript') {
      const named = (await import('./gui-prompt.js')).dialogDriver(driver, s.env)
      if (!named) {
        throw new MfaError(
          `profile "${request.profile}" needs an MFA code, and the ${driver} prompt driver needs ${driver}, which is not installed`,
          `install ${driver}, or use --prompt terminal`,
        )
      }
      s.log.debug(`profile ${request.profile}: asking for the MFA code through ${driver} (--prompt ${driver})`)
      return named.ask(request.serial, request.profile)
    }
    // The drivers are loaded when a code is needed: a cache hit never asks, and stays lean.
    const gui =
      driver === 'terminal' && !s.hasTerminal
        ? (await import('./gui-prompt.js')).guiDriver(s.env, s.platform)
        : undefined
    if (gui) {
      s.log.debug(`profile ${request.profile}: no terminal; asking for the MFA code through ${gui.name}`)
      return gui.ask(request.serial, request.profile)
    }
    s.log.debug(`profile ${request.profile}: asking for the MFA code on the terminal`)
    const { promptOnTerminal } = await import('./terminal-prompt.js')
    return promptOnTerminal(request.serial, request.profile)
  }
}
