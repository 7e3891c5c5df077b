import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { freshHome, useServices, vault } from './harness.js'

const roleArn = 'arn:aws:iam::111111111111:role/ci'
const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl'

// issue 15: web identity had no test. moto stands in for STS; the recorder shows the call.
describe('web identity, end to end (issue 15)', () => {
  const services = useServices()

  it('web_identity_token_file and web_identity_token_process: one unsigned AssumeRoleWithWebIdentity each', async () => {
    const home = await freshHome(services(), '')
    try {
      const file = join(home.dir, 'token')
      await writeFile(file, `${jwt}\n`, { mode: 0o600 })
      await home.writeConfig(
        `[profile ci]\nregion = us-east-1\nrole_arn = ${roleArn}\nrole_session_name = ci-run\nweb_identity_token_file = ${file}\n\n` +
          `[profile ci-process]\nregion = us-east-1\nrole_arn = ${roleArn}\nrole_session_name = ci-run\nweb_identity_token_process = cat ${file}\n`,
      )
      for (const name of ['ci', 'ci-process']) {
        const res = await vault(['export', '--format', 'json', name], { env: home.env })
        assert.equal(res.code, 0, res.stderr)
        const creds = JSON.parse(res.stdout)
        assert.equal(creds.Version, 1)
        assert.match(creds.AccessKeyId, /^ASIA/)
      }
      const calls = (await services().recorder.calls()).filter((c) => c.action === 'AssumeRoleWithWebIdentity')
      assert.equal(calls.length, 2)
      for (const call of calls) {
        const params = new URLSearchParams(call.body)
        assert.equal(params.get('WebIdentityToken'), jwt)
        assert.equal(params.get('RoleArn'), roleArn)
        assert.equal(params.get('RoleSessionName'), 'ci-run')
      }
      // Cached: a second export makes no call.
      assert.equal((await vault(['export', '--format', 'json', 'ci'], { env: home.env })).code, 0)
      assert.equal(await services().recorder.count('AssumeRoleWithWebIdentity'), 2)

      await writeFile(file, '')
      await home.writeConfig(`[profile ci]\nrole_arn = ${roleArn}\nweb_identity_token_file = ${file}\n`)
      await vault(['clear', 'ci'], { env: home.env })
      const empty = await vault(['export', 'ci'], { env: home.env })
      assert.equal(empty.code, 78)
      assert.equal(
        empty.stderr,
        `vault: profile "ci": web_identity_token_file ${file} is empty; it must hold the OIDC token (a JWT) of your identity provider\n`,
      )
    } finally {
      await home.cleanup()
    }
  })
})
