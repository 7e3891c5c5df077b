/**
 * `vault migrate-backend` (issue 25, ByteNess aws-vault cli/migrate_backend.go) between a real
 * gnome-keyring and the file backend, each step a separate vault process, and killed at random.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readdir, rm } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import { TEMP_PREFIX } from '../../src/fs/atomic-write.js'
import { CredentialStore } from '../../src/stores/credential-store.js'
import { FileStore } from '../../src/stores/file-store.js'
import { type Home, makeHome, type Services, startServices, vault, vaultBin } from './harness.js'

/** Six profiles' keys, shaped like real ones, nobody's. */
const profiles = Array.from({ length: 6 }, (_, i) => ({
  name: `m${i}`,
  accessKeyId: `AKIAMIGRATE00000000${i}`,
  secretAccessKey: `${'m'.repeat(39)}${i}`,
}))

describe('vault migrate-backend: Secret Service to the file backend and back', () => {
  let services: Services
  let home: Home
  let env: Record<string, string>
  before(async () => {
    services = await startServices({ moto: false })
    home = await makeHome(services, { AWS_VAULT_FILE_PASSPHRASE: 'pw' })
    env = home.env
    await home.writeConfig(profiles.map((p) => `[profile ${p.name}]\n`).join('\n'))
    for (const p of profiles) {
      const res = await vault(['add', p.name, '--env', '--no-add-config'], {
        env: { ...env, AWS_ACCESS_KEY_ID: p.accessKeyId, AWS_SECRET_ACCESS_KEY: p.secretAccessKey },
      })
      assert.equal(res.code, 0, res.stderr)
    }
  })
  after(async () => {
    await home?.cleanup()
    await services?.stop()
  })

  const fileKeys = () =>
    new CredentialStore(new FileStore({ dir: env.AWS_VAULT_FILE_DIR, passphrase: async () => 'pw' }))
  /**
   * Profiles whose key file is in the file backend's folder (written by rename: whole, or absent). A
   * kill between the write and the rename leaves a `.vault-tmp-` draft, encrypted like an item; the
   * store never reads one as an item (FileStore.keys), so neither does this test.
   */
  const inFiles = async () =>
    (await readdir(env.AWS_VAULT_FILE_DIR).catch(() => [] as string[])).filter((f) => !f.startsWith(TEMP_PREFIX)).sort()
  /** vault's item for `profile` in the Secret Service, or ''. */
  const inKeyring = (profile: string) =>
    new Promise<string>((resolve) => {
      const child = spawn('secret-tool', ['lookup', 'service', 'aws-vault', 'username', profile], { env })
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      child.on('close', () => resolve(out))
    })
  const exported = async (profile: string, backend: string) => {
    const res = await vault(['export', profile, '--no-session', '--format', 'json', '--backend', backend], { env })
    assert.equal(res.code, 0, res.stderr)
    return JSON.parse(res.stdout).SecretAccessKey as string
  }

  it('--dry-run lists every key masked and changes nothing', async () => {
    const res = await vault(['migrate-backend', '--from', 'secret-service', '--to', 'file', '--dry-run'], { env })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(
      res.stdout,
      profiles.map((p) => `would copy      ${p.name.padEnd(16)} ****************000${p.name[1]}\n`).join(''),
    )
    assert.match(res.stderr, /would migrate 6 of 6 profiles from secret-service to file; no changes made/)
    assert.deepEqual(await inFiles(), [])
    for (const p of profiles) assert.ok(!(res.stdout + res.stderr).includes(p.secretAccessKey))
  })

  it('moves every key to the file backend and back; export reads them from each', async () => {
    const there = await vault(['migrate-backend', '--from', 'secret-service', '--to', 'file', '--delete-source'], {
      env,
    })
    assert.equal(there.code, 0, there.stderr)
    assert.equal(there.stdout.split('\n').filter((l) => /^copied .*deleted from source$/.test(l)).length, 6)
    assert.deepEqual(
      await inFiles(),
      profiles.map((p) => p.name),
    )
    for (const p of profiles) assert.equal(await inKeyring(p.name), '')
    assert.equal(await exported('m3', 'file'), profiles[3].secretAccessKey)
    assert.equal((await vault(['list', '--credentials'], { env })).stdout, '')
    const back = await vault(['migrate-backend', '--from', 'file', '--to', 'secret-service', '--delete-source'], {
      env,
    })
    assert.equal(back.code, 0, back.stderr)
    assert.deepEqual(await inFiles(), [])
    assert.equal(await exported('m4', 'secret-service'), profiles[4].secretAccessKey)
    assert.equal((await vault(['list', '--credentials'], { env })).stdout, profiles.map((p) => `${p.name}\n`).join(''))
  })

  it('killed at random points (20 times or more), every key is in the source, the target or both, never neither', async () => {
    const argv = ['migrate-backend', '--from', 'secret-service', '--to', 'file', '--delete-source']
    const started = Date.now()
    assert.equal((await vault(argv, { env })).code, 0)
    let span = Date.now() - started
    const back = ['migrate-backend', '--from', 'file', '--to', 'secret-service', '--delete-source']
    assert.equal((await vault(back, { env })).code, 0)
    let partial = 0
    for (let i = 0; i < 20 || partial < 3; i++) {
      assert.ok(i < 80, `only ${i} kills (${partial} half-way) in 80 runs`)
      const child = spawn(process.execPath, [vaultBin, ...argv], { env, stdio: 'ignore' })
      const exited = new Promise((r) => child.on('exit', r))
      await new Promise((r) => setTimeout(r, span * (0.2 + Math.random() * 0.9)))
      child.kill('SIGKILL')
      await exited
      const files = await inFiles()
      let moved = 0
      for (const p of profiles) {
        const keyring = await inKeyring(p.name)
        if (keyring !== '') {
          assert.deepEqual(
            JSON.parse(keyring),
            { AccessKeyID: p.accessKeyId, SecretAccessKey: p.secretAccessKey },
            `kill ${i}: ${p.name}`,
          )
        }
        if (files.includes(p.name)) moved++
        else assert.notEqual(keyring, '', `kill ${i}: ${p.name} is in neither backend`)
      }
      if (moved === 0) span *= 1.15
      else if (moved === profiles.length && files.length === profiles.length) span *= 0.9
      if (moved > 0 && moved < profiles.length) partial++
      // Every 5th kill, the files are opened too: whole, the keys that were written.
      if (i % 5 === 4) {
        for (const name of files) {
          const p = profiles.find((q) => q.name === name)
          assert.deepEqual(await fileKeys().get(name), {
            accessKeyId: p?.accessKeyId,
            secretAccessKey: p?.secretAccessKey,
          })
        }
      }
      // The way back, run to its end, puts every key in the keyring again: a rerun finishes a move.
      const res = await vault(back, { env })
      assert.equal(res.code, 0, `kill ${i}: ${res.stderr}`)
      assert.doesNotMatch(res.stdout, /^skipped /m)
      assert.deepEqual(await inFiles(), [], `kill ${i}`)
    }
    for (const p of profiles) assert.equal(await exported(p.name, 'secret-service'), p.secretAccessKey)
    await rm(env.AWS_VAULT_FILE_DIR, { recursive: true, force: true })
  })
})
