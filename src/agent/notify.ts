import { spawn } from 'node:child_process'
import type { Env, Logger } from '../runtime/types.js'

/** Tells the user something while no command of theirs is running: one desktop notification. */
export type Notifier = (message: string) => void

/** How long a notification command may run. */
const NOTIFY_MS = 10_000

/**
 * A desktop notification: notify-send on Linux and the BSDs, osascript on macOS, a toast through
 * PowerShell on Windows; nothing when the command does not exist. The message travels in the
 * environment (VAULT_NOTICE), never through a shell or a script's quoting.
 */
export function desktopNotifier(platform: NodeJS.Platform, env: Env, log: Logger): Notifier {
  const command: [string, string[]] =
    platform === 'darwin'
      ? ['osascript', ['-e', 'display notification (system attribute "VAULT_NOTICE") with title "vault"']]
      : platform === 'win32'
        ? [
            'powershell.exe',
            [
              '-NoProfile',
              '-NonInteractive',
              '-Command',
              "$x=[Windows.UI.Notifications.ToastNotificationManager,Windows.UI.Notifications,ContentType=WindowsRuntime]::GetTemplateContent(1);$x.GetElementsByTagName('text')[0].AppendChild($x.CreateTextNode($env:VAULT_NOTICE))|Out-Null;[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('vault').Show([Windows.UI.Notifications.ToastNotification]::new($x))",
            ],
          ]
        : ['notify-send', ['--app-name=vault', 'vault', '--', '-']]
  return (message) => {
    log.debug(`agent: notifying: ${message}`)
    const [file, args] = command
    // notify-send takes the body as an argument: '-' above stands for it.
    const argv = args.map((a) => (a === '-' ? message : a))
    try {
      const child = spawn(file, argv, { env: { ...env, VAULT_NOTICE: message }, stdio: 'ignore' })
      const timer = setTimeout(() => child.kill('SIGKILL'), NOTIFY_MS)
      child.on('error', () => clearTimeout(timer))
      child.on('exit', () => clearTimeout(timer))
    } catch {}
  }
}
