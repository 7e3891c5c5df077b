import { exportedVariables } from '../output/format.js'
import { bashCompletion, type CompletionCommand, fishCompletion } from './completion.js'

export const shells = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof shells)[number]

const vars = exportedVariables.join(' ')

/**
 * `vault use` and `vault deactivate` must change the shell itself, so they are shell functions
 * around the binary; everything else goes to the binary. `use` evaluates nothing unless export
 * succeeded, and export-env (fish: --format fish) unsets what the previous profile set before it
 * exports, each quoting for its own shell.
 */
const posixWrapper = (bin: string) => `${bin}() {
  case "$1" in
    use)
      shift
      local __vault_out
      __vault_out="$(command ${bin} export --format export-env "$@")" || return
      eval "$__vault_out"
      ;;
    deactivate)
      unset ${vars}
      ;;
    *)
      command ${bin} "$@"
      ;;
  esac
}`

/**
 * The prompt marker, \`[aws|PROFILE 7h59m] \`, kept in __vault_marker by a hook that runs in the
 * shell itself before each prompt (no subshell): the expiry is converted once per value (GNU date,
 * else BSD date), and the time left is computed from the shell's own clock.
 */
const posixMarker = `__vault_update() {
  __vault_marker=
  [ -n "\${AWS_VAULT-}" ] || return 0
  local left=
  if [ -n "\${AWS_CREDENTIAL_EXPIRATION-}" ]; then
    if [ "$AWS_CREDENTIAL_EXPIRATION" != "\${__vault_exp_src-}" ]; then
      __vault_exp_src=$AWS_CREDENTIAL_EXPIRATION
      __vault_exp_epoch=$(date -u -d "$AWS_CREDENTIAL_EXPIRATION" +%s 2>/dev/null || date -u -j -f %Y-%m-%dT%H:%M:%SZ "$AWS_CREDENTIAL_EXPIRATION" +%s 2>/dev/null)
    fi
    if [ -n "\${__vault_exp_epoch-}" ]; then
      local s=$(( __vault_exp_epoch - \${EPOCHSECONDS:-$(date +%s)} ))
      if [ "$s" -le 0 ]; then left=' expired'
      elif [ "$s" -ge 3600 ]; then left=" $((s / 3600))h$((s % 3600 / 60))m"
      elif [ "$s" -ge 60 ]; then left=" $((s / 60))m"
      else left=" \${s}s"
      fi
    fi
  fi
  # A control character in a profile name would reach the terminal: each becomes ?.
  __vault_marker="[aws|\${AWS_VAULT//[[:cntrl:]]/?}$left] "
}`

const bashPrompt = `if [ "\${VAULT_PROMPT-}" != 0 ]; then
  case ";\${PROMPT_COMMAND-};" in *";__vault_update;"*) ;; *) PROMPT_COMMAND="__vault_update\${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;; esac
  case "$PS1" in *'\${__vault_marker}'*) ;; *) PS1='\${__vault_marker}'"$PS1" ;; esac
fi`

const zshPrompt = `zmodload zsh/datetime 2>/dev/null
autoload -Uz add-zsh-hook && add-zsh-hook precmd __vault_update
if [ "\${VAULT_PROMPT-}" != 0 ]; then
  setopt PROMPT_SUBST
  case "$PROMPT" in *'\${__vault_marker}'*) ;; *) PROMPT='\${__vault_marker}'"$PROMPT" ;; esac
fi
if ! (( $+functions[compdef] )); then autoload -Uz compinit && compinit -u; fi
autoload -Uz bashcompinit && bashcompinit`

const fishScript = (bin: string) => `function ${bin}
  switch "$argv[1]"
    case use
      set -l out (command ${bin} export --format fish $argv[2..-1]); or return $status
      printf '%s\\n' $out | source
    case deactivate
      set -e ${vars}
    case '*'
      command ${bin} $argv
  end
end
function __vault_marker
  test -n "$AWS_VAULT"; or return 0
  set -l left ''
  if test -n "$AWS_CREDENTIAL_EXPIRATION"
    if test "$AWS_CREDENTIAL_EXPIRATION" != "$__vault_exp_src"
      set -g __vault_exp_src $AWS_CREDENTIAL_EXPIRATION
      set -g __vault_exp_epoch (date -u -d "$AWS_CREDENTIAL_EXPIRATION" +%s 2>/dev/null; or date -u -j -f %Y-%m-%dT%H:%M:%SZ "$AWS_CREDENTIAL_EXPIRATION" +%s 2>/dev/null)
    end
    if test -n "$__vault_exp_epoch"
      set -l s (math "$__vault_exp_epoch - "(date +%s))
      if test $s -le 0
        set left ' expired'
      else if test $s -ge 3600
        set left ' '(math -s0 "$s / 3600")h(math -s0 "$s % 3600 / 60")m
      else if test $s -ge 60
        set left ' '(math -s0 "$s / 60")m
      else
        set left " $s"s
      end
    end
  end
  printf '[aws|%s%s] ' (string replace -ra '[[:cntrl:]]' '?' -- $AWS_VAULT) $left
end
if test "$VAULT_PROMPT" != 0; and functions -q fish_prompt; and not functions -q __vault_orig_fish_prompt
  functions -c fish_prompt __vault_orig_fish_prompt
  function fish_prompt
    __vault_marker
    __vault_orig_fish_prompt
  end
end`

/**
 * The script `eval "$(vault shell-init SHELL)"` runs from the rc file: the `use` and `deactivate`
 * functions, the prompt marker (also in `vault exec` subshells, which read the rc file and have
 * AWS_VAULT and AWS_CREDENTIAL_EXPIRATION), and completion of commands, flags and profile names.
 * VAULT_PROMPT=0 leaves the prompt alone; __vault_marker (bash, zsh) or __vault_marker (fish)
 * gives the marker for a prompt of one's own. `bin` is the command the user ran (`vault`, or
 * `awsvault` where HashiCorp's vault comes first on PATH): the function takes its name and calls it.
 */
export function initScript(shell: Shell, commands: CompletionCommand[], bin = 'vault'): string {
  const header = `# ${bin} shell integration for ${shell}: add to your rc file\n#   ${shell === 'fish' ? `${bin} shell-init fish | source` : `eval "$(${bin} shell-init ${shell})"`}`
  switch (shell) {
    case 'bash':
      return [header, posixWrapper(bin), posixMarker, bashPrompt, bashCompletion(commands, bin), ''].join('\n')
    case 'zsh':
      return [header, posixWrapper(bin), posixMarker, zshPrompt, bashCompletion(commands, bin), ''].join('\n')
    case 'fish':
      return [header, fishScript(bin), fishCompletion(commands, bin), ''].join('\n')
  }
}
