import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { UsageError } from '../../src/errors.js'
import { hasControlCharacter } from '../../src/output/printable.js'
import { checkEntry, checkKeyId } from '../../src/stores/entry-gate.js'

const ID = 'AKIAIOSFODNN7EXAMPLE'
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'

/** What `add`, `import` and `migrate-backend` let into a store (issues 25 and 28). */
describe('checkEntry: the one gate', () => {
  // aws-vault cli/add.go AddCommand stores whatever is typed (ckr.Set with no check), and users keep
  // keys of S3-compatible services there: vault stores any printable shape, warning when AWS never
  // issues it (issue 25), but no space or control character (issue 28: `AKIA$(touch …)`).
  const accepted: Array<[string, string, string, RegExp | undefined]> = [
    ['an AWS long-term key', ID, SECRET, undefined],
    ['an AWS temporary key id', 'ASIAIOSFODNN7EXAMPLE', SECRET, undefined],
    ['a MinIO-style key', 'minio-admin', 'minio-secret-key-123', /not shaped like an AWS key/],
    ['a lower-case AWS-like id', 'akiaiosfodnn7example', SECRET, /not shaped like an AWS key/],
    ['a short secret', ID, 'short', /has 5 characters, where AWS's have 40/],
    ['shell characters without a space', 'AKIA$(id)', SECRET, /not shaped like an AWS key/],
  ]
  for (const [name, id, secret, warning] of accepted) {
    it(`stores ${name}${warning ? ', with a warning' : ''}`, () => {
      const warnings = checkEntry('caktus', { accessKeyId: id, secretAccessKey: secret })
      if (!warning) assert.deepEqual(warnings, [])
      else
        assert.ok(
          warnings.some((w) => warning.test(w)),
          warnings.join('\n'),
        )
      assert.ok(!warnings.join('').includes(secret) || secret.length < 8, 'no secret in a warning')
    })
  }

  const refused: Array<[string, string, string, string, RegExp]> = [
    ['a key id with a space ($(touch …), issue 28)', 'caktus', 'AKIA$(touch /tmp/PWN)', SECRET, /access key id/],
    ['a key id with a newline', 'caktus', 'AKIA\nINJECTED', SECRET, /access key id/],
    ['a key id with an escape sequence', 'caktus', 'AKIA\u001b]0;x\u0007', SECRET, /access key id/],
    ['an empty key id', 'caktus', '', SECRET, /access key id: it is empty/],
    ['a key id longer than IAM allows', 'caktus', 'A'.repeat(129), SECRET, /longer than 128/],
    ['a secret with a newline', 'caktus', ID, `${SECRET}\n[x]`, /secret access key/],
    ['a secret with a tab', 'caktus', ID, `a\tb`, /secret access key/],
    ['an empty secret', 'caktus', ID, '', /secret access key cannot be stored: it is empty/],
    ['a name with a newline', 'a\nb', ID, SECRET, /control character/],
    ['a name with an escape sequence', 'a\u001b[2Jb', ID, SECRET, /control character/],
    ['a name with "]"', 'a]b', ID, SECRET, /bracket/],
    ['a name with a leading space', ' a', ID, SECRET, /starts or ends with a space/],
    ['a name with " #"', 'a #b', ID, SECRET, /starts a comment/],
    ['an empty name', '', ID, SECRET, /it is empty/],
    ['a session item name', 'sts.AssumeRole,c2FndWFybw,,1700000000', ID, SECRET, /cached session/],
    ['an SSO token item name', 'oidc:https://x.awsapps.com/start', ID, SECRET, /cached session or SSO token/],
  ]
  for (const [name, profile, id, secret, why] of refused) {
    it(`refuses ${name}: one printable line, no secret`, () => {
      assert.throws(
        () => checkEntry(profile, { accessKeyId: id, secretAccessKey: secret }),
        (err: unknown) =>
          err instanceof UsageError &&
          why.test(err.message) &&
          !hasControlCharacter(err.message) &&
          !err.message.includes(SECRET),
      )
    })
  }

  it('shows a refused key id masked', () => {
    assert.throws(
      () => checkKeyId('AKIA$(touch /tmp/PWN)'),
      (err: unknown) => err instanceof UsageError && err.message.startsWith('"*****************PWN)" cannot be'),
    )
  })
})
