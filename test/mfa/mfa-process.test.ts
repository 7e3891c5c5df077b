// Issue 13.5: mfa_process runs with the controlling terminal on its stdin and stderr (so a YubiKey
// touch prompt or a password manager can talk to the user while vault's stdio are SDK pipes), its
// stdout is the code, and a deadline keeps a stuck helper from hanging vault.
import assert from 'node:assert/strict'
import { closeSync, openSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MfaError } from '../../src/errors.js'
import { runMfaProcess } from '../../src/mfa/mfa-process.js'
import type { TerminalFds } from '../../src/terminal/open.js'
import { memoryLogger } from '../fakes/fakes.js'

describe('mfa_process (issue 13.5)', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-mfa-process-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  /** A stand-in for /dev/tty: what the user "types" comes from a file, what the helper says goes to one. */
  async function fakeTerminal(typed: string) {
    const inPath = join(dir, `in-${Math.random()}`)
    const outPath = join(dir, `out-${Math.random()}`)
    await writeFile(inPath, typed)
    const inFd = openSync(inPath, 'r')
    const outFd = openSync(outPath, 'w')
    let closed = 0
    const terminal: TerminalFds = {
      stdin: inFd,
      stderr: outFd,
      close() {
        closed += 1
        closeSync(inFd)
        closeSync(outFd)
      },
    }
    return { open: async () => terminal, said: () => readFile(outPath, 'utf8'), closed: () => closed }
  }

  const env = { PATH: process.env.PATH }

  it('reads from and talks on the terminal; stdout is the code; the terminal is closed after', async () => {
    const tty = await fakeTerminal('touched\n')
    const log = memoryLogger()
    const code = await runMfaProcess({
      command: 'read answer; echo "Touch your YubiKey: $answer" >&2; echo 123456',
      profile: 'caktus',
      env,
      log,
      terminal: tty.open,
    })
    assert.equal(code, '123456')
    assert.equal(await tty.said(), 'Touch your YubiKey: touched\n')
    assert.equal(tty.closed(), 1)
    assert.ok(log.lines.includes('profile caktus: running mfa_process with the terminal on its stdin and stderr'))
  })

  it("without a controlling terminal, stdin is /dev/null and stderr is vault's, as in aws-vault", async () => {
    const log = memoryLogger()
    const code = await runMfaProcess({
      command: 'echo 654321',
      profile: 'caktus',
      env,
      log,
      terminal: () => Promise.reject(new Error('ENXIO: no such device or address, open /dev/tty')),
    })
    assert.equal(code, '654321')
    assert.ok(
      log.lines.includes("profile caktus: no controlling terminal; mfa_process gets /dev/null and vault's stderr"),
    )
  })

  it('keeps a deadline: a helper that never answers fails, and the terminal is released', async () => {
    const tty = await fakeTerminal('')
    const started = Date.now()
    await assert.rejects(
      runMfaProcess({
        command: 'sleep 30; echo 123456',
        profile: 'caktus',
        env,
        log: memoryLogger(),
        terminal: tty.open,
        timeoutMs: 1000,
      }),
      (err: unknown) =>
        err instanceof MfaError && /^profile "caktus": mfa_process timed out after 1 s$/.test(err.message),
    )
    assert.ok(Date.now() - started < 10_000, 'gave up at the deadline')
    assert.equal(tty.closed(), 1)
  })

  it('a failure or a non-code answer is a clear MfaError', async () => {
    const run = async (command: string) =>
      runMfaProcess({ command, profile: 'caktus', env, log: memoryLogger(), terminal: (await fakeTerminal('')).open })
    await assert.rejects(run('exit 3'), /^MfaError: profile "caktus": mfa_process failed \(exit 3\)$/)
    await assert.rejects(
      run('echo nope'),
      /^MfaError: profile "caktus": mfa_process printed something other than a six-digit code$/,
    )
  })
})
