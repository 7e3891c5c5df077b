/**
 * Hostile values for every output format (issue 28): each tries to run `touch MARKER` in whatever
 * reads it, or to break out of its quoting, line or terminal. Values reach vault from
 * credential_process, SSO portals, STS and other tools' stores, so they are fed through every
 * format and every shell integration; a test then checks that MARKER was never created.
 */
import { spawnSync } from 'node:child_process'

export function hostileValues(marker: string): string[] {
  const touch = `touch ${marker}`
  return [
    `;${touch};`,
    `$(${touch})`,
    `\`${touch}\``,
    `(${touch})`, // fish's command substitution
    `';${touch};'`,
    `";${touch};"`,
    `;${touch};echo x\\`, // issue 28: a trailing backslash ended fish's quoting a line later
    `x\\'; ${touch}; echo \\'`,
    `\\`,
    `'`,
    `\\\\'\\"`,
    `line one\n${touch}\nline three`,
    `\n\n`,
    '\u001b]0;pwned\u0007\u001b[2J\u001b[31mred',
    '\r\t\u007f\u009b',
    `$HOME \${HOME} %s {a,b} * ~ !! #c & | < > ^`,
    ` x `,
    `a ;${touch}`,
    '-e',
    '--',
  ]
}

export interface ShellRun {
  /** The exported variables the shell's child saw afterwards (env -0). */
  env: Record<string, string>
  status: number | null
  stderr: string
}

/**
 * Runs `script` in `shell` (non-interactive, no rc files) with `$F` naming the text file to load,
 * then records what a child process sees: `env -0`, parsed.
 */
export function runShell(shell: 'sh' | 'bash' | 'zsh' | 'fish', script: string, file: string): ShellRun {
  const args = shell === 'fish' ? ['--no-config', '-c', script] : ['-c', script]
  const tail = shell === 'fish' ? '; env -0' : '\nenv -0'
  const r = spawnSync(shell, [...args.slice(0, -1), `${args.at(-1)}${tail}`], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', F: file },
    encoding: 'utf8',
    // 120 s, as harness.ts gives a run: at load 25 one shell took over 30 s (issue 27).
    timeout: 120_000,
  })
  const env: Record<string, string> = {}
  for (const entry of (r.stdout ?? '').split('\0')) {
    const eq = entry.indexOf('=')
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1)
  }
  return { env, status: r.status, stderr: r.stderr ?? '' }
}
