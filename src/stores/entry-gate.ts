import type { AwsCredentials } from '../aws/credentials.js'
import { UsageError } from '../errors.js'
import { maskKey } from '../output/mask.js'
import { printable } from '../output/printable.js'
import { checkProfileName } from '../text/profile-name.js'
import { isNonCredentialKey } from './session-key.js'

/** The shape IAM gives long-term (AKIA) and temporary (ASIA) key ids. */
const AWS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/
// IAM's AccessKeyId is at most 128 characters (IAM API reference, AccessKeyMetadata); a secret
// longer than this is a paste gone wrong, not a key.
const MAX_KEY_ID = 128
const MAX_SECRET = 1024
// C0, DEL, C1 and every Unicode space: none survives a credentials file, a header or a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSTORABLE = /[\u0000-\u001f\u007f-\u009f\s]/u

/** The key id as it may be shown: masked, with whatever control characters it holds escaped. */
export function shownKeyId(accessKeyId: string): string {
  return printable(maskKey(accessKeyId))
}

/**
 * The one gate for what enters vault's store: `add`, `import` (the credentials file and every one
 * of aws-vault's stores) and `migrate-backend` call it, and CredentialStore.set calls it again.
 * A profile name must be one a `[profile NAME]` header holds (src/text/profile-name.ts checkProfileName)
 * and must not read as a session item. A key id or secret with a control character or a space
 * is refused: it would not survive a credentials file or a shell line. Any other shape is
 * stored, as aws-vault stores it (users keep keys of S3-compatible services there), with a
 * warning when AWS never issues it. Throws a UsageError naming the problem, never the secret;
 * returns the warnings.
 */
export function checkEntry(profile: string, creds: AwsCredentials): string[] {
  checkEntryName(profile)
  return [...checkKeyId(creds.accessKeyId), ...checkSecret(creds.secretAccessKey)]
}

/** The name half of checkEntry: `vault add` asks it before it asks for anything. */
export function checkEntryName(profile: string): void {
  checkProfileName(profile)
  if (isNonCredentialKey(profile)) {
    throw new UsageError(
      `"${printable(profile)}" cannot be a profile name: it reads as a cached session or SSO token item`,
      'pick a name of letters, digits and -_.@+/ (as in the AWS console)',
    )
  }
}

/** The key id half of checkEntry: interactive `vault add` asks it before it asks for the secret. */
export function checkKeyId(accessKeyId: string): string[] {
  const shown = shownKeyId(accessKeyId)
  const why =
    accessKeyId === ''
      ? 'it is empty'
      : UNSTORABLE.test(accessKeyId)
        ? 'it holds a space or a control character'
        : accessKeyId.length > MAX_KEY_ID
          ? `it is longer than ${MAX_KEY_ID} characters`
          : undefined
  if (why) {
    // The key id is not secret on its own, but it is masked anyway: it may be a pasted secret.
    throw new UsageError(
      `"${shown}" cannot be an access key id: ${why}`,
      'copy the Access key ID column from the IAM console',
    )
  }
  if (AWS_KEY_ID.test(accessKeyId)) return []
  return [
    `access key id "${shown}" is not shaped like an AWS key (AKIA or ASIA and 16 letters or digits); storing it as it is (keys of S3-compatible services look like this)`,
  ]
}

function checkSecret(secret: string): string[] {
  const why =
    secret === ''
      ? 'it is empty'
      : UNSTORABLE.test(secret)
        ? 'it holds a space or a control character'
        : secret.length > MAX_SECRET
          ? `it is longer than ${MAX_SECRET} characters`
          : undefined
  if (why) throw new UsageError(`the secret access key cannot be stored: ${why}`, 'paste the whole secret access key')
  if (secret.length === 40) return []
  return [`the secret access key has ${secret.length} characters, where AWS's have 40; storing it as it is`]
}
