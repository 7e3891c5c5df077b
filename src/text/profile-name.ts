import { UsageError } from '../errors.js'
import { hasControlCharacter, printable } from '../output/printable.js'

/**
 * Refuse a profile name that a `[profile NAME]` header cannot hold so that vault's reader and the
 * AWS CLI read it back the same: empty, surrounding spaces, control characters (line breaks,
 * terminal escapes), brackets, or `#`/`;` after a space (the AWS CLI, v1 and v2, cuts the header
 * there: `[profile e ;f]` is "could not be found"). `a;b` and `a#b` are kept: both CLIs and vault
 * read them (checked with aws-cli 1.x and 2.x `configure get region --profile 'a;b'`). brackets
 * are refused although both CLIs read `[profile g[h]`: aws-vault's go-ini and a reader's eye do not.
 * `vault add` checks this before it stores anything.
 */
export function checkProfileName(name: string): void {
  const why =
    name === ''
      ? 'it is empty'
      : name !== name.trim()
        ? 'it starts or ends with a space'
        : hasControlCharacter(name)
          ? 'it holds a control character (a line break or a terminal escape)'
          : /[[\]]/.test(name)
            ? 'it holds a bracket'
            : /\s[#;]/.test(name)
              ? 'a space followed by "#" or ";" starts a comment in the AWS CLI'
              : undefined
  if (why) {
    throw new UsageError(
      `"${printable(name)}" cannot be a profile name: ${why}`,
      'pick a name of letters, digits and -_.@+/ (as in the AWS console)',
    )
  }
}
