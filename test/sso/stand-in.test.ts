/**
 * The stand-in is faithful: botocore (boto3 1.43), whose SSO OIDC and portal clients and whose
 * SSOTokenProvider / SSOProvider nobody here wrote, logs in through it with the device code grant,
 * refreshes the expired token with the refresh_token grant, and gets role credentials.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { requireCommand } from '../e2e/harness.js'
import { ssoEndpoints } from '../fakes/sso.js'
import { deviceGrant, SsoStandIn } from './stand-in.js'

const startUrl = 'https://example.awsapps.com/start'

describe('SSO stand-in against botocore (the oracle)', () => {
  const standIn = new SsoStandIn({
    accounts: [
      { accountId: '111111111111', accountName: 'dev', emailAddress: 'dev@example.com', roles: ['Admin', 'ReadOnly'] },
      { accountId: '222222222222', accountName: 'prod', emailAddress: 'prod@example.com', roles: ['Admin'] },
    ],
  })
  let home: string
  before(async () => {
    await standIn.start()
    home = await mkdtemp(join(tmpdir(), 'vault-sso-boto-'))
    await mkdir(join(home, '.aws'), { recursive: true })
  })
  after(async () => {
    await standIn.stop()
    await rm(home, { recursive: true, force: true })
  })

  it('botocore: device authorization, SSOTokenProvider refresh, SSOProvider GetRoleCredentials, paged listings', async () => {
    const python = requireCommand('python3')
    await writeFile(
      join(home, '.aws', 'config'),
      `[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n`,
    )
    const child = spawn(python, [join(import.meta.dirname, 'botocore-login.py'), 'dev', 'corp', startUrl], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AWS_CONFIG_FILE: join(home, '.aws', 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
        ...ssoEndpoints(standIn.url),
        AWS_EC2_METADATA_DISABLED: 'true',
        ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    const steps: Record<string, Record<string, unknown>> = {}
    for await (const line of createInterface({ input: child.stdout })) {
      const step = JSON.parse(line) as Record<string, unknown>
      steps[step.step as string] = step
      // The person approves in the browser after botocore has polled at least once.
      if (step.step === 'device') setTimeout(() => standIn.approve(step.userCode as string), 1500)
    }
    const code = await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)))
    clearTimeout(timer)
    assert.equal(code, 0, stderr)
    assert.ok((steps.token.pending as number) >= 1, 'botocore read authorization_pending and kept polling')
    assert.equal(steps.token.hasRefresh, true)
    assert.match(steps.credentials.accessKey as string, /^ASIA/)
    assert.match(steps.credentials.sessionToken as string, /^sso-session-111111111111-Admin-/)
    assert.equal(steps.credentials.refreshed, true, 'botocore refreshed the expired token and rewrote its cache')
    assert.equal(steps.credentials.newRefresh, true)
    assert.equal(standIn.count('RegisterClient'), 1)
    assert.equal(standIn.count('StartDeviceAuthorization'), 1)
    assert.ok(standIn.count('CreateToken', deviceGrant) >= 2)
    assert.equal(standIn.calls.filter((c) => c.grantType === deviceGrant && c.status === 200).length, 1)
    assert.equal(standIn.count('CreateToken', 'refresh_token'), 1)
    assert.equal(standIn.count('GetRoleCredentials'), 1)
    assert.deepEqual(steps.listing.accounts, ['111111111111', '222222222222'])
    assert.deepEqual(steps.listing.roles, ['Admin', 'ReadOnly'])
    assert.equal(standIn.count('ListAccounts'), 2, 'botocore followed nextToken')
    assert.equal(standIn.count('ListAccountRoles'), 2)
  })
})
