/**
 * The package installs one program under two names: `vault`, and `awsvault` for machines where
 * HashiCorp's `vault` comes first on PATH. Output that tells the user what to type (shell-init's
 * wrapper, completion, help examples, the advice in errors) names the one they ran.
 */
export const defaultBin = 'vault'

/**
 * The command name the user ran, from the path the program was started by (process.argv[1]: npm's
 * bin link, or a symlink of the user's own). A path that names no command (`node bin/run.js`,
 * Windows' npm shims, which run bin/run.js itself) gives `vault`, as does a name that is not a
 * plain word, since shell-init defines a shell function by that name.
 */
export function binName(scriptPath: string | undefined): string {
  const base = (scriptPath ?? '').split(/[\\/]/).pop() ?? ''
  const name = base.replace(/\.(c?js|cmd|ps1|exe)$/i, '')
  if (name === 'run' || name === 'dev' || !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) return defaultBin
  return name
}

/** Advice written as `run: vault add x` (and `with: vault …`, `` `vault …` ``, `see vault …`) names `bin`. */
export function adviseWith(text: string, bin: string): string {
  if (bin === defaultBin) return text
  return text.replace(/(^|run:? |with: |`|see )vault (?=\S)/g, `$1${bin} `)
}
