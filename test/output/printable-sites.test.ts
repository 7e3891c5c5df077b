/**
 * Issue 28: every place that prints a value from a config file, a store or a peer to a terminal
 * passes it through printable(), so ESC sequences (an OSC title, ESC[2J) and line breaks arrive
 * escaped. One row per print site.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import { hasControlCharacter } from '../../src/output/printable.js'
import { streamLogger } from '../../src/runtime/types.js'
import { initScript } from '../../src/shell/init-script.js'
import { resultLine } from '../../src/usecases/import.js'
import { renderPlanned } from '../../src/usecases/sso-populate.js'
import { renderStatus } from '../../src/usecases/status.js'
import { deviceLogin } from '../../src/vault/sso/device-login.js'

const hostile = 'evil\u001b]0;pwned\u0007\u001b[2J\nline\r\u009b31m'
/** What may remain: the line breaks the renderer itself puts between lines. */
const clean = (text: string) => !hasControlCharacter(text.replace(/\n/g, ''))

describe('control characters are escaped at every print site (issue 28)', () => {
  it('vault status: profile names, chain lines and session rows', () => {
    const now = new Date('2026-12-06T12:00:00Z')
    const out = renderStatus(
      {
        profile: hostile,
        active: true,
        chain: [`profile ${hostile}: credentials from ${hostile}`],
        sessions: [
          {
            type: 'sts.AssumeRole',
            profile: hostile,
            mfa: false,
            mfaSerial: '',
            expiration: '2026-12-06T13:00:00Z',
            expiresInSeconds: 3600,
            valid: true,
          },
        ],
      },
      now,
    )
    assert.ok(clean(out), JSON.stringify(out))
    assert.match(out, /evil\\x1b\]0;pwned\\x07\\x1b\[2J\\nline\\r\\x9b31m/)
  })

  it('--debug lines', () => {
    let written = ''
    const sink = new Writable({
      write(chunk, _enc, done) {
        written += chunk
        done()
      },
    })
    streamLogger(sink, true).debug(`profile ${hostile}: using cached session`)
    assert.equal(written.split('\n').length, 2, 'one line')
    assert.ok(clean(written), JSON.stringify(written))
  })

  it('import listings (credentials file and aws-vault stores)', () => {
    const line = resultLine({ section: hostile, profile: hostile, accessKeyId: '****ABCD', outcome: 'copied' })
    assert.equal(line.split('\n').length, 2)
    assert.ok(clean(line), JSON.stringify(line))
  })

  it('sso populate --dry-run: names and values from the portal', () => {
    const out = renderPlanned([{ name: hostile, values: { sso_role_name: hostile }, added: true }])
    assert.ok(clean(out), JSON.stringify(out))
  })

  it('the SSO user code, verification URL and start URL', async () => {
    let shown = ''
    await deviceLogin(
      {
        oidc: {
          registerClient: async () => assert.fail('not called'),
          startDeviceAuthorization: async () => ({
            deviceCode: 'dc',
            userCode: `ABCD-${hostile}`,
            verificationUri: `https://device.example/${hostile}`,
            verificationUriComplete: 'https://device.example/?code=x',
            expiresIn: 600,
            interval: 1,
          }),
          createTokenWithDeviceCode: async () => ({ accessToken: 't', expiresIn: 3600 }),
          createTokenWithRefreshToken: async () => assert.fail('not called'),
        },
        clock: { now: () => new Date('2026-12-06T12:00:00Z') },
        log: { enabled: false, debug: () => {} },
        show: async (text) => {
          shown += text
        },
        sleep: async () => {},
      },
      { clientId: 'c', clientSecret: 's', expiresAt: new Date('2027-01-01T00:00:00Z') } as never,
      `https://start.example/${hostile}`,
    )
    assert.ok(clean(shown), JSON.stringify(shown))
    assert.match(shown, /ABCD-evil\\x1b/)
  })

  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    it(`the prompt marker in ${shell}: a control character in AWS_VAULT becomes ?`, () => {
      const show = shell === 'fish' ? '__vault_marker' : '__vault_update; printf %s "$__vault_marker"'
      const r = spawnSync(
        shell,
        [...(shell === 'fish' ? ['--no-config'] : []), '-c', `${initScript(shell, [])}\n${show}`],
        {
          env: { PATH: process.env.PATH, HOME: '/nonexistent', AWS_VAULT: 'ev\u001b]0;x\u0007L\nZ' },
          encoding: 'utf8',
          timeout: 30_000,
        },
      )
      assert.equal(r.stdout, '[aws|ev?]0;x?L?Z] ', r.stderr)
    })
  }
})
