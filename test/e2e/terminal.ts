/** A real terminal for prompt tests: a private tmux server running one shell script. */
import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { requireCommand } from './harness.js'

export interface Terminal {
  /** What the terminal shows now. */
  screen(): string
  /** Types `text` and presses Enter. */
  enter(text: string): void
  /** Types `text` literally, without Enter. */
  type(text: string): void
  /** Presses keys by tmux name: Tab, C-u, Enter. */
  press(...keys: string[]): void
  /** Resolves once `check` holds for the screen; rejects with the screen after `timeoutMs`. */
  waitFor(check: (screen: string) => boolean, timeoutMs?: number): Promise<string>
  close(): void
}

let count = 0

/** Runs `commands` (shell lines) in a new tmux session with `env` exported. */
export async function openTerminal(dir: string, env: Record<string, string>, commands: string): Promise<Terminal> {
  requireCommand('tmux')
  const script = join(dir, `terminal-${++count}.sh`)
  const exports = Object.entries(env).map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`)
  await writeFile(script, `${exports.join('\n')}\n${commands}\n`, { mode: 0o700 })
  const socket = `vault-e2e-${process.pid}-${count}`
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
  const started = tmux('new-session', '-d', '-s', 'main', '-x', '200', '-y', '50', `sh ${script}; sleep 60`)
  if (started.status !== 0) throw new Error(`e2e: tmux failed: ${started.stderr}`)
  const screen = () => tmux('capture-pane', '-p', '-t', 'main').stdout
  return {
    screen,
    enter(text: string) {
      tmux('send-keys', '-t', 'main', '-l', text)
      tmux('send-keys', '-t', 'main', 'Enter')
    },
    type(text: string) {
      tmux('send-keys', '-t', 'main', '-l', text)
    },
    press(...keys: string[]) {
      tmux('send-keys', '-t', 'main', ...keys)
    },
    // 120 s unless told, as harness.ts gives a run: at load 40 a zsh prompt took over 15 s (issue 27).
    async waitFor(check, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const now = screen()
        if (check(now)) return now
        if (Date.now() > deadline) throw new Error(`e2e: timed out waiting for the terminal; it shows:\n${now}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    close: () => void tmux('kill-server'),
  }
}
