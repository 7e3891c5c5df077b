import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'

/**
 * Issue 23: vault's keychain round trip through bin/run.js (built) on the system's own store:
 * the login keychain on macOS (CI makes a temporary default keychain with `security
 * create-keychain`), Credential Manager on Windows, and on Linux a private gnome-keyring from the
 * e2e harness. No STS: add --env, list, remove.
 */
const linux = process.platform === 'linux'
const harness = linux ? await import('../e2e/harness.js') : undefined
const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'run.js')

describe(`the ${process.platform} keychain through bin/run.js (issue 23)`, () => {
  const services = harness?.useServices({ moto: false })
  let home: string
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'vault-os-keychain-'))
    mkdirSync(join(home, '.aws'))
  })
  after(() => rmSync(home, { recursive: true, force: true }))

  function vault(args: string[], extra: Record<string, string> = {}) {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v
    Object.assign(env, services?.().env ?? {}, {
      HOME: home,
      USERPROFILE: home,
      AWS_CONFIG_FILE: join(home, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
      ...extra,
    })
    // A keychain call has a 5 s deadline of its own; the process gets a generous one.
    const res = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 120_000 })
    return { code: res.status, stdout: res.stdout, stderr: res.stderr }
  }

  it('add --env, list --credentials, remove -f', () => {
    const profile = `vault-ci-${process.pid}`
    writeFileSync(join(home, '.aws', 'config'), `[profile ${profile}]\nregion = us-east-1\n`)
    const keys = {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    }
    try {
      const added = vault(['add', profile, '--env'], keys)
      assert.equal(added.code, 0, added.stderr)
      assert.doesNotMatch(added.stderr, /note:/, 'the system store, not a fallback')
      const listed = vault(['list', '--credentials'])
      assert.equal(listed.code, 0, listed.stderr)
      assert.ok(listed.stdout.split(/\r?\n/).includes(profile), listed.stdout)
    } finally {
      const removed = vault(['remove', profile, '-f'])
      assert.equal(removed.code, 0, removed.stderr)
    }
    const after = vault(['list', '--credentials'])
    assert.equal(after.code, 0, after.stderr)
    assert.ok(!after.stdout.split(/\r?\n/).includes(profile))
  })
})
