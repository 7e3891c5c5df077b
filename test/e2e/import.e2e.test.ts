import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { lstat, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { CredentialStore } from '../../src/stores/credential-store.js'
import { FileStore } from '../../src/stores/file-store.js'
import { type Home, makeHome, type Services, startServices, vault, vaultBin } from './harness.js'

/** Six profiles' keys, shaped like real ones (AKIA + 16, 40-character secrets), nobody's. */
const profiles = Array.from({ length: 6 }, (_, i) => ({
  name: `p${i}`,
  accessKeyId: `AKIAIMPORT${String(i).padStart(10, '0')}`,
  secretAccessKey: `${'s'.repeat(39)}${i}`,
}))

const credentialsText = (extra = '') =>
  `# my keys\n${profiles
    .map((p, i) =>
      [
        `[${i === 1 ? `${p.name}-long-term` : p.name}]`,
        `aws_access_key_id = ${p.accessKeyId}`,
        `aws_secret_access_key = ${p.secretAccessKey}`,
        ...(i === 2 ? ['region = eu-west-1'] : []),
        '',
      ].join('\n'),
    )
    .join('\n')}${extra}`

const session = '\n[p1]\naws_access_key_id = ASIAIMPORTSESSION000\naws_secret_access_key = x\naws_session_token = tok\n'

describe('vault import (issue 17)', () => {
  let services: Services
  let home: Home
  let env: Record<string, string>
  let credentials: string
  before(async () => {
    services = await startServices({ moto: false })
    home = await makeHome(services, { AWS_VAULT_BACKEND: 'file', AWS_VAULT_FILE_PASSPHRASE: 'pw' })
    env = home.env
    credentials = env.AWS_SHARED_CREDENTIALS_FILE
  })
  after(async () => {
    await home?.cleanup()
    await services?.stop()
  })

  /** Key files in the file backend's folder (the store index lives elsewhere). */
  const keyFiles = async () => (await readdir(env.AWS_VAULT_FILE_DIR).catch(() => [])).length
  const store = () => new CredentialStore(new FileStore({ dir: env.AWS_VAULT_FILE_DIR, passphrase: async () => 'pw' }))
  const reset = async (text: string) => {
    await rm(env.AWS_VAULT_FILE_DIR, { recursive: true, force: true })
    await writeFile(credentials, text, { mode: 0o644 })
  }

  it('--dry-run lists what would move with keys masked, and changes nothing', async () => {
    await reset(credentialsText(session))
    const res = await vault(['import', '--dry-run'], { env })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(
      res.stdout,
      [
        'would move      p0               ****************0000  [p0]',
        'would move      p1               ****************0001  [p1-long-term]',
        'would move      p2               ****************0002  [p2]',
        'would move      p3               ****************0003  [p3]',
        'would move      p4               ****************0004  [p4]',
        'would move      p5               ****************0005  [p5]',
        'session left    p1               ****************N000  [p1]',
        '',
      ].join('\n'),
    )
    assert.equal(await readFile(credentials, 'utf8'), credentialsText(session))
    assert.deepEqual(await store().list(), [])
  })

  it('moves every key, keeps settings, comments and the session section, 0600, no copy left', async () => {
    await reset(credentialsText(session))
    const res = await vault(['import'], { env })
    assert.equal(res.code, 0, res.stderr)
    for (const p of profiles)
      assert.deepEqual(await store().get(p.name), { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey })
    assert.equal(await readFile(credentials, 'utf8'), `# my keys\n[p2]\nregion = eu-west-1\n${session}`)
    assert.equal((await stat(credentials)).mode & 0o777, 0o600)
    assert.deepEqual((await readdir(join(home.dir, '.aws'))).sort(), ['credentials'])
    // Again: nothing left to move; the session section is removed only when asked.
    const again = await vault(['import', '--remove-sessions'], { env })
    assert.equal(again.stdout, 'session removed p1               ****************N000  [p1]\n')
    assert.equal(await readFile(credentials, 'utf8'), '# my keys\n[p2]\nregion = eu-west-1\n\n')
  })

  it('a profile holding other keys is a conflict, left in the file, unless --force', async () => {
    await reset('[p0]\naws_access_key_id = AKIAIMPORTOTHER00000\naws_secret_access_key = other\n')
    await store().set('p0', profiles[0])
    const res = await vault(['import'], { env })
    assert.equal(res.stdout, 'conflict        p0               ****************0000  [p0]\n')
    assert.match(await readFile(credentials, 'utf8'), /AKIAIMPORTOTHER00000/)
    const forced = await vault(['import', '--force'], { env })
    assert.equal(forced.code, 0, forced.stderr)
    assert.equal((await store().get('p0'))?.accessKeyId, 'AKIAIMPORTOTHER00000')
    assert.equal(await readFile(credentials, 'utf8'), '')
  })

  it('a symlinked credentials file (stow, yadm) is rewritten at its target, the link kept (issue 28)', async () => {
    await reset('')
    const dotfiles = join(home.dir, 'dotfiles')
    await mkdir(dotfiles, { recursive: true })
    const target = join(dotfiles, 'aws-credentials')
    await writeFile(target, credentialsText(), { mode: 0o600 })
    await rm(credentials)
    await symlink(target, credentials)
    try {
      const res = await vault(['import'], { env })
      assert.equal(res.code, 0, res.stderr)
      assert.equal(res.stdout.split('\n').filter((l) => l.startsWith('moved ')).length, profiles.length)
      assert.ok((await lstat(credentials)).isSymbolicLink(), 'the link is kept')
      const left = await readFile(target, 'utf8')
      for (const p of profiles) assert.ok(!left.includes(p.secretAccessKey), `${p.name}'s secret left in the target`)
      assert.equal(left, '# my keys\n[p2]\nregion = eu-west-1\n\n')
      assert.deepEqual(await readdir(dotfiles), ['aws-credentials'], 'no temp file beside the target')
      for (const p of profiles) assert.equal((await store().get(p.name))?.secretAccessKey, p.secretAccessKey)
    } finally {
      await rm(credentials, { force: true })
      await rm(dotfiles, { recursive: true, force: true })
    }
  })

  it('names and keys `vault add` refuses stay in the file, reported with control characters escaped (issue 28)', async () => {
    const good = profiles[0]
    await reset(
      [
        `[${good.name}]\naws_access_key_id = ${good.accessKeyId}\naws_secret_access_key = ${good.secretAccessKey}\n`,
        '[ansi\u001b[2Jname]\naws_access_key_id = AKIAIMPORTHOSTILE001\naws_secret_access_key = h\n',
        '[shell]\naws_access_key_id = AKIA$(touch PWN)\naws_secret_access_key = h\n',
      ].join(''),
    )
    const res = await vault(['import'], { env })
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^moved +p0 /m)
    assert.match(res.stdout, /^refused +ansi\\x1b\[2Jname /m)
    assert.match(res.stdout, /^refused +shell +\*+PWN\) /m)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    assert.doesNotMatch(res.stdout + res.stderr, /[\u0000-\u0009\u000b-\u001f]/)
    assert.deepEqual(await store().list(), ['p0'])
    const left = await readFile(credentials, 'utf8')
    assert.ok(left.includes('AKIAIMPORTHOSTILE001') && left.includes('AKIA$(touch PWN)'), left)
  })

  it('two imports at once, 4 rounds: both succeed, every key moves, no temp file is shared (issue 28)', async () => {
    for (let round = 0; round < 4; round++) {
      await reset(credentialsText())
      const [a, b] = await Promise.all([vault(['import'], { env }), vault(['import'], { env })])
      assert.equal(a.code, 0, `round ${round}: ${a.stderr}`)
      assert.equal(b.code, 0, `round ${round}: ${b.stderr}`)
      assert.doesNotMatch(a.stderr + b.stderr, /ENOENT|unexpected error/)
      for (const p of profiles) assert.equal((await store().get(p.name))?.secretAccessKey, p.secretAccessKey)
      const left = await readFile(credentials, 'utf8')
      for (const p of profiles) assert.ok(!left.includes(p.secretAccessKey), `round ${round}: ${p.name} left`)
      assert.deepEqual(await readdir(join(home.dir, '.aws')), ['credentials'])
    }
  })

  it('killed at random points (55 times), every key is in the file or the backend, and a rerun finishes', async () => {
    // A dry run (start-up and reads) and a full run first, to spread the kills over the moves.
    await reset(credentialsText())
    let started = Date.now()
    assert.equal((await vault(['import', '--dry-run'], { env })).code, 0)
    const reading = Date.now() - started
    started = Date.now()
    assert.equal((await vault(['import'], { env })).code, 0)
    const full = Date.now() - started
    let midway = 0
    // 55 kills, and more until 5 have landed half-way through (load decides where a kill lands).
    for (let i = 0; i < 55 || midway < 5; i++) {
      assert.ok(i < 110, `only ${i} kills (${midway} half-way) in 110 runs`)
      await reset(credentialsText())
      const child = spawn(process.execPath, [vaultBin, 'import'], { env, stdio: 'ignore' })
      let done = false
      const exited = new Promise((r) =>
        child.on('exit', () => {
          done = true
          r(null)
        }),
      )
      if (i % 2 === 0) {
        // Every other kill waits for the first key to reach the backend, then strikes at once: with
        // six keys to move, it lands half-way through on a quiet machine as on a busy one.
        while (!done && (await keyFiles()) < 1) await new Promise((r) => setTimeout(r, 2))
        if (Math.random() < 0.5) await new Promise((r) => setTimeout(r, Math.random() * full * 0.5))
      } else {
        await new Promise((r) => setTimeout(r, reading * 0.8 + Math.random() * Math.max(full - reading * 0.8, 50)))
      }
      child.kill('SIGKILL')
      await exited
      const text = await readFile(credentials, 'utf8')
      const keys = store()
      let inFile = 0
      for (const p of profiles) {
        const stored = await keys.get(p.name)
        const there = text.includes(p.accessKeyId) && text.includes(p.secretAccessKey)
        if (there) inFile++
        else
          assert.deepEqual(
            stored,
            { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey },
            `kill ${i}: ${p.name} lost`,
          )
      }
      if (inFile > 0 && inFile < profiles.length) midway++
      // A rerun completes the move, and removes what a kill left beside the file (every 11th
      // kill: the file backend's key derivation makes each check cost a second).
      if (i % 11 !== 10) continue
      const rerun = await vault(['import'], { env })
      assert.equal(rerun.code, 0, rerun.stderr)
      assert.doesNotMatch(rerun.stdout, /conflict/)
      for (const p of profiles) assert.equal((await keys.get(p.name))?.secretAccessKey, p.secretAccessKey)
      assert.equal(await readFile(credentials, 'utf8'), '# my keys\n[p2]\nregion = eu-west-1\n\n')
      assert.deepEqual(await readdir(join(home.dir, '.aws')), ['credentials'])
    }
  })
})
