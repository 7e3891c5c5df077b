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

type MfaRequest = Parameters<MfaSource>[0]

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
  const token = s.token !== undefined ? oneTimeToken(s.token, s.log) : undefined
  return async (request) =>
    (await token?.(request)) ?? withTokenSpent(Boolean(token), request, () => fromOtherSources(s, driver, request))
}

/** A TOTP code is single-use at AWS, so --mfa-token answers only the first request; later ones: undefined. */
function oneTimeToken(code: string, log: Logger): (request: MfaRequest) => Promise<string | undefined> {
  const answer = fixedCode(code)
  let used = false
  return async (request) => {
    if (used) return undefined
    used = true
    log.debug(`profile ${request.profile}: MFA code from --mfa-token`)
    return answer(request)
  }
}

/** "pass -t" is no advice when -t was given: its code answered an earlier request. */
async function withTokenSpent(tokenGiven: boolean, request: MfaRequest, ask: () => Promise<string>): Promise<string> {
  try {
    return await ask()
  } catch (err) {
    if (!(tokenGiven && err instanceof MfaError && err.hint?.includes('--mfa-token'))) throw err
    throw new MfaError(
      `profile "${request.profile}" needs another MFA code for ${request.serial}: the -t/--mfa-token code was used already (AWS takes each code once), and there is no terminal to ask on`,
      'run again with the next code (-t/--mfa-token CODE), or set mfa_process in the profile',
      { cause: err },
    )
  }
}

/** mfa_process of the profile, else the prompt driver. Each is loaded when a code is needed: a cache hit stays lean. */
async function fromOtherSources(s: MfaSelection, driver: string, request: MfaRequest): Promise<string> {
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
  if (driver === 'zenity' || driver === 'kdialog' || driver === 'osascript') return fromNamedDialog(s, driver, request)
  return fromTerminal(s, request)
}

/** --prompt zenity, kdialog or osascript: that dialog, or an error when it is not installed. */
async function fromNamedDialog(
  s: MfaSelection,
  driver: 'zenity' | 'kdialog' | 'osascript',
  request: MfaRequest,
): Promise<string> {
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

/** The terminal driver: the terminal, or with none, a dialog when one is installed. */
async function fromTerminal(s: MfaSelection, request: MfaRequest): Promise<string> {
  const gui = !s.hasTerminal ? (await import('./gui-prompt.js')).guiDriver(s.env, s.platform) : undefined
  if (gui) {
    s.log.debug(`profile ${request.profile}: no terminal; asking for the MFA code through ${gui.name}`)
    return gui.ask(request.serial, request.profile)
  }
  s.log.debug(`profile ${request.profile}: asking for the MFA code on the terminal`)
  const { promptOnTerminal } = await import('./terminal-prompt.js')
  return promptOnTerminal(request.serial, request.profile)
}
