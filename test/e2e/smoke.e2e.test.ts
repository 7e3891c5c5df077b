import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { makeHome, run, type Services, startServices } from './harness.js'

// The harness itself: a real keychain round trip and a real STS call, each in a child process
// that sees only the suite's D-Bus and moto.
describe('e2e harness (issue 2)', () => {
  let services: Services
  before(async () => {
    services = await startServices()
  })
  after(async () => {
    await services?.stop()
  })

  it('stores and reads back an item in gnome-keyring through @napi-rs/keyring', async () => {
    const home = await makeHome(services)
    const script = `
      const { Entry } = await import('@napi-rs/keyring')
      const e = new Entry('vault-smoke', 'item', { linux: { store: 'secret-service' } })
      e.setPassword('s3cret')
      console.log(e.getPassword())
      e.deletePassword()
      console.log(String(e.getPassword()))`
    const res = await run(['--input-type=module', '-e', script], {
      env: home.env,
      cmd: process.execPath,
      cwd: process.cwd(),
    })
    assert.equal(res.stderr, '')
    assert.deepEqual(res.stdout.trim().split('\n'), ['s3cret', 'null'])
    await home.cleanup()
  })

  it('calls GetCallerIdentity on moto through @aws-sdk/client-sts with endpoints from the environment', async () => {
    const home = await makeHome(services, {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    })
    const script = `
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts')
      const out = await new STSClient({}).send(new GetCallerIdentityCommand({}))
      console.log(out.Account)`
    await services.recorder.start()
    const res = await run(['--input-type=module', '-e', script], {
      env: home.env,
      cmd: process.execPath,
      cwd: process.cwd(),
    })
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout.trim(), /^\d{12}$/)
    assert.equal(await services.recorder.count('GetCallerIdentity'), 1)
    await home.cleanup()
  })
})
