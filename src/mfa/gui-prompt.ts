import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { CancelledError, MfaError } from '../errors.js'
import { OutputFailure, readOutput } from '../exec/read-output.js'
import type { Env } from '../runtime/types.js'
import { isValidMfaCode } from './mfa-source.js'

export interface GuiDriver {
  /** The program, for --debug lines. */
  name: string
  ask(serial: string, profile: string): Promise<string>
}

/**
 * A dialog for the MFA code when there is no terminal to ask on (a credential server whose
 * terminal is gone, an IDE): osascript on macOS; zenity, then kdialog, on a desktop with a display.
 * Undefined when none is installed, so the caller can fail with a clear message instead.
 */
export function guiDriver(env: Env, platform: NodeJS.Platform = process.platform): GuiDriver | undefined {
  if (platform === 'darwin') return dialogDriver('osascript', env)
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined
  return dialogDriver('zenity', env) ?? dialogDriver('kdialog', env)
}

/** The dialog programs aws-vault has prompt drivers for (prompt/zenity.go, kdialog.go, osascript.go). */
export type DialogProgram = 'zenity' | 'kdialog' | 'osascript'

/** One named dialog driver (--prompt zenity, …), or undefined when its program is not on PATH. */
export function dialogDriver(program: DialogProgram, env: Env): GuiDriver | undefined {
  if (!onPath(program, env)) return undefined
  if (program === 'osascript') return osascript(env)
  if (program === 'zenity') return dialog('zenity', env, (text) => ['--entry', '--title=vault', `--text=${text}`])
  return dialog('kdialog', env, (text) => ['--title', 'vault', '--inputbox', text])
}

function osascript(env: Env): GuiDriver {
  // The text goes in through argv, never into the AppleScript source: a serial cannot inject code.
  const script = [
    'on run argv',
    'return text returned of (display dialog (item 1 of argv) default answer "" with title "vault")',
    'end run',
  ]
  return dialog('osascript', env, (text) => [...script.flatMap((line) => ['-e', line]), text])
}

function dialog(program: string, env: Env, argv: (text: string) => string[]): GuiDriver {
  return {
    name: program,
    ask: async (serial, profile) => {
      let code: string
      try {
        // stderr kept, not shown: GTK and Qt print warnings there that are no concern of the user's.
        const options = { env, timeoutMs: 120_000, maxStdout: 64 * 1024, stderr: 'capture' as const }
        code = await readOutput({ command: program, args: argv(`Enter MFA code for ${serial}`), ...options })
      } catch (err) {
        if (!(err instanceof OutputFailure)) throw err
        // Every driver exits 1 when the user presses Cancel.
        if (err.exitCode === 1) throw new CancelledError(`profile "${profile}": MFA dialog cancelled`)
        throw new MfaError(`profile "${profile}": ${program} could not ask for the MFA code (${failure(err)})`)
      }
      if (isValidMfaCode(code)) return code
      throw new MfaError(`profile "${profile}": the MFA dialog returned something other than a six-digit code`)
    },
  }
}

/** "timed out", "exit 2", or why it did not run ("was killed by SIGKILL", "could not be started (…)"). */
function failure(err: OutputFailure): string {
  if (err.timedOut) return 'timed out'
  return err.exitCode === null ? err.why : `exit ${err.exitCode}`
}

function onPath(program: string, env: Env): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, program)))
}
