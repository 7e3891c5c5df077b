import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { credentialsSections, withoutSection } from '../../src/config/credentials-sections.js'

// aws-mfa (broamski/aws-mfa) keeps long-term keys in [NAME-long-term] and writes the session to [NAME].
const file = `# work keys
[default]
aws_access_key_id = AKIAAAAAAAAAAAAAAAAA
aws_secret_access_key = secretA
region = eu-west-1

[caktus-long-term]
aws_access_key_id=AKIABBBBBBBBBBBBBBBB
aws_secret_access_key=secretB
aws_mfa_device = arn:aws:iam::1:mfa/me

[caktus]
assumed_role = False
aws_access_key_id = ASIACCCCCCCCCCCCCCCC
aws_secret_access_key = secretC
aws_session_token = tokenC
expiration = 2026-11-21 17:42:00

; keep me
[plain]\r
aws_access_key_id = AKIADDDDDDDDDDDDDDDD\r
aws_secret_access_key = secretD\r
`

describe('credentials file sections (issue 17)', () => {
  it('finds keys, aws-mfa long-term sections as NAME, and session sections', () => {
    assert.deepEqual(credentialsSections(file), [
      { section: 'default', profile: 'default', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'secretA' },
      {
        section: 'caktus-long-term',
        profile: 'caktus',
        accessKeyId: 'AKIABBBBBBBBBBBBBBBB',
        secretAccessKey: 'secretB',
      },
      {
        section: 'caktus',
        profile: 'caktus',
        accessKeyId: 'ASIACCCCCCCCCCCCCCCC',
        secretAccessKey: 'secretC',
        sessionToken: 'tokenC',
      },
      { section: 'plain', profile: 'plain', accessKeyId: 'AKIADDDDDDDDDDDDDDDD', secretAccessKey: 'secretD' },
    ])
  })

  it('takes out only the secret keys; other settings, comments and CRLF lines stay', () => {
    const out = withoutSection(withoutSection(file, 'default'), 'caktus-long-term')
    assert.equal(
      out,
      `# work keys
[default]
region = eu-west-1

[caktus-long-term]
aws_mfa_device = arn:aws:iam::1:mfa/me

[caktus]
assumed_role = False
aws_access_key_id = ASIACCCCCCCCCCCCCCCC
aws_secret_access_key = secretC
aws_session_token = tokenC
expiration = 2026-11-21 17:42:00

; keep me
[plain]\r
aws_access_key_id = AKIADDDDDDDDDDDDDDDD\r
aws_secret_access_key = secretD\r
`,
    )
  })

  it('a section with nothing but keys goes entirely, with its blank lines', () => {
    assert.equal(withoutSection(file, 'plain'), file.slice(0, file.indexOf('[plain]')))
    assert.equal(
      withoutSection('[a]\nx = 1\n\n[b]\naws_access_key_id = K\n\n[c]\ny = 2\n', 'b'),
      '[a]\nx = 1\n\n[c]\ny = 2\n',
    )
  })
})
