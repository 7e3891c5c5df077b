/**
 * issue 28: every helper vault runs has a deadline, an output cap, and rules for grandchildren
 * holding its pipes. credential_process gets mfa_process's rules (it waited 120 s for a background
 * child holding stdout, and 1 MiB of output gave ERR_CHILD_PROCESS_STDIO_MAXBUFFER); pass and gpg
 * get an output cap (400 MB from gpg took vault to 2.6 GB) and the deadline holds against a
 * grandchild in its own session (setsid), which kept vault waiting 152 s. Real processes.
 */
import assert from 'node:assert/strict'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { StoreError } from '../../src/errors.js'
import { passCode } from '../../src/mfa/pass.js'
import { PassStore } from '../../src/stores/pass-store.js'
import { credentialProcessProvider } from '../../src/vault/credential-process-provider.js'
import { fixedClock } from '../fakes/fakes.js'

const good = JSON.stringify({
  Version: 1,
  AccessKeyId: 'ASIAEXAMPLEEXAMPLE12',
  SecretAccessKey: 'secret',
  SessionToken: 'token',
  Expiration: '2099-01-01T00:00:00Z',
})

let dir = ''
const pids: string[] = []
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-helper-bounds-'))
})
after(async () => {
  // The setsid grandchildren outlive their parents by design: end them here.
  for (const file of pids) {
    const pid = Number(await readFile(file, 'utf8').catch(() => ''))
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    }
  }
  await rm(dir, { recursive: true, force: true })
})

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, `#!/bin/sh\n${body}\n`)
  await chmod(path, 0o755)
  return path
}

const env = { PATH: process.env.PATH }

describe('credential_process runs under mfa_process rules (issue 28)', () => {
  it('a background child holding stdout does not keep vault waiting', async () => {
    const pidFile = join(dir, 'cp-bg.pid')
    pids.push(pidFile)
    const provider = credentialProcessProvider({
      profile: 'cp',
      command: `printf '%s' '${good}'; sleep 60 & echo $! > ${pidFile}`,
      env,
      clock: fixedClock(),
    })
    const started = Date.now()
    const creds = await provider.retrieve()
    assert.equal(creds.accessKeyId, 'ASIAEXAMPLEEXAMPLE12')
    // Returns on the process's exit plus a 200 ms grace; the old exec waited for the sleep (60 s).
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`)
  })

  it('more than 1 MiB of output is one clear line, not ERR_CHILD_PROCESS_STDIO_MAXBUFFER', async () => {
    const provider = credentialProcessProvider({
      profile: 'cp',
      command: 'head -c 2000000 /dev/zero | tr "\\0" x',
      env,
      clock: fixedClock(),
    })
    await assert.rejects(provider.retrieve(), {
      message: 'profile "cp": credential_process printed more than 1 MiB',
      code: 'CredentialProcessInvalid',
      exitCode: 5,
    })
  })

  it('a process that outlives its deadline is killed, and the line says it timed out', async () => {
    const provider = credentialProcessProvider({
      profile: 'cp',
      command: 'trap "" TERM; sleep 30',
      env,
      clock: fixedClock(),
      timeoutMs: 500,
    })
    const started = Date.now()
    await assert.rejects(provider.retrieve(), {
      message: 'profile "cp": credential_process timed out after 0.5 s',
      code: 'CredentialProcessFailed',
    })
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`)
  })
})

describe('pass and gpg are bounded (issue 28)', () => {
  const store = (cmd: string, timeoutMs = 20_000) => new PassStore({ dir, cmd, prefix: '', env, timeoutMs })

  it('a pass printing far more than an item is refused at the cap, not buffered whole', async () => {
    const cmd = await script('pass-flood', 'head -c 50000000 /dev/zero')
    const before = process.memoryUsage().rss
    await assert.rejects(store(cmd).set({ key: 'k', data: '{}' }), (err) => {
      assert.ok(err instanceof StoreError)
      assert.equal(err.reason, 'too-large')
      assert.equal(err.message, 'pass store: writing "k" printed more than 1 MiB, more than any vault item')
      return true
    })
    assert.ok(process.memoryUsage().rss - before < 40 * 1024 * 1024, 'the output was not kept')
  })

  it('a grandchild in its own session holding the pipes does not outlive the deadline', async () => {
    const pidFile = join(dir, 'pass-setsid.pid')
    pids.push(pidFile)
    // pass waits on gpg, which started an agent in a session of its own that holds stdout and stderr.
    const cmd = await script('pass-setsid', `setsid sleep 60 &\necho $! > ${pidFile}\nsleep 60`)
    const started = Date.now()
    await assert.rejects(store(cmd, 1000).set({ key: 'k', data: '{}' }), (err) => {
      assert.ok(err instanceof StoreError)
      assert.equal(err.reason, 'timeout')
      return true
    })
    const took = Date.now() - started
    assert.ok(took < 20_000, `took ${took} ms (the grandchild lives 60 s)`)
  })

  it('pass otp (the MFA driver): the same deadline against a setsid grandchild', async () => {
    const pidFile = join(dir, 'otp-setsid.pid')
    pids.push(pidFile)
    const bin = await mkdtemp(join(dir, 'bin-'))
    await writeFile(join(bin, 'pass'), `#!/bin/sh\nsetsid sleep 60 &\necho $! > ${pidFile}\nsleep 60\n`)
    await chmod(join(bin, 'pass'), 0o755)
    const started = Date.now()
    await assert.rejects(passCode('arn:aws:iam::1:mfa/me', 'p', { PATH: `${bin}:${process.env.PATH}` }, 1000), {
      message: 'profile "p": pass otp arn:aws:iam::1:mfa/me timed out',
    })
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`)
  })

  it('pass otp printing a flood is refused at 64 KiB', async () => {
    const bin = await mkdtemp(join(dir, 'bin-'))
    await writeFile(join(bin, 'pass'), '#!/bin/sh\nhead -c 50000000 /dev/zero\n')
    await chmod(join(bin, 'pass'), 0o755)
    await assert.rejects(passCode('s', 'p', { PATH: `${bin}:${process.env.PATH}` }), {
      message: 'profile "p": pass otp s printed more than 64 KiB',
    })
  })
})
