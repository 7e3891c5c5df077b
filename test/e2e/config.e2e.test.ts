import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { type Home, useServices, vault } from './harness.js'
import { useSharedHome } from './shared-home.js'

const config = `[default]
region = us-west-2

[profile base]
region = eu-central-1

[profile caktus]
include_profile = base
`

/** The child's AWS_REGION for `vault exec ARGS -- sh -c 'echo $AWS_REGION'`. */
async function childRegion(home: Home, args: string[], env: Record<string, string> = {}) {
  const res = await vault(['exec', ...args, '--', 'sh', '-c', 'echo $AWS_REGION'], { env: { ...home.env, ...env } })
  assert.equal(res.code, 0, res.stderr)
  return res.stdout.trim()
}

describe('config resolution through bin/run.js (issue 3)', () => {
  const services = useServices()
  // No test here changes the keys: one home, with `config` and no cached session at each start.
  const shared = useSharedHome(services, config)
  let home: Home
  beforeEach(() => {
    home = shared()
  })

  it('AWS_REGION in the child comes from include_profile', async () => {
    assert.equal(await childRegion(home, ['caktus']), 'eu-central-1')
  })

  it('the environment beats the file, and --region beats the environment', async () => {
    assert.equal(await childRegion(home, ['caktus'], { AWS_REGION: 'ap-south-1' }), 'ap-south-1')
    assert.equal(
      await childRegion(home, ['caktus', '--region', 'sa-east-1'], { AWS_REGION: 'ap-south-1' }),
      'sa-east-1',
    )
  })

  it('an unknown profile is an error naming the file, not a fall-through to [default]', async () => {
    const res = await vault(['exec', 'nosuch', '--', 'true'], { env: home.env })
    assert.equal(res.code, 3)
    assert.equal(res.stderr.split(';')[0], `vault: profile "nosuch" not found in ${home.configFile}`)
  })

  it('a malformed line is an error naming file:line', async () => {
    await home.writeConfig(`${config}\n[profile broken\nregion = x\n`)
    const res = await vault(['export', 'caktus'], { env: home.env })
    assert.equal(res.code, 78)
    assert.match(res.stderr, new RegExp(`${home.configFile}:10`))
    assert.equal(res.stderr.trim().split('\n').length, 1)
  })

  it('a source_profile cycle is named, and never hangs', async () => {
    await home.writeConfig(
      `${config}\n[profile a]\nsource_profile = b\nrole_arn = arn:aws:iam::1:role/x\n\n[profile b]\nsource_profile = a\nrole_arn = arn:aws:iam::1:role/y\n`,
    )
    const res = await vault(['export', 'a'], { env: home.env, timeoutMs: 10_000 })
    assert.equal(res.code, 78)
    assert.match(res.stderr, /cycle: a → b → a/)
  })

  it('a bad duration_seconds names the profile and the key', async () => {
    await home.writeConfig(
      `${config}\n[profile r]\nsource_profile = caktus\nrole_arn = arn:aws:iam::1:role/x\nduration_seconds = soon\n`,
    )
    const res = await vault(['export', 'r'], { env: home.env })
    assert.equal(res.code, 78)
    assert.match(res.stderr, /profile "r".*duration_seconds/)
  })
})
