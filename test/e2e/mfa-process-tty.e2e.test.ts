// Issue 25: mfa_process gets the terminal as its stdin even when vault's own stdin is a pipe
// (docker piping JSON to a credential helper, with a YubiKey that needs a touch). aws-vault
// vault/mfa_unix.go executeMFACommand: "Stdin: the subprocess sees a real TTY ... even when
// aws-vault's stdin is a pipe (e.g. docker credential helper receiving JSON on stdin)".
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { freshHome, type Home, mfaSerial, useServices, vaultBin } from './harness.js'
import { openTerminal } from './terminal.js'

describe('mfa_process reads the terminal while vault reads a pipe (issue 25)', () => {
  const services = useServices()
  let home: Home
  beforeEach(async () => {
    home = await makeMfaHome()
  })
  afterEach(async () => {
    await home?.cleanup()
  })

  async function makeMfaHome(): Promise<Home> {
    const h = await freshHome(services(), `[profile caktus]\nregion = us-east-1\nmfa_serial = ${mfaSerial}\n`)
    // A helper that asks on its stderr and reads the code from its stdin, as a touch-to-confirm
    // helper reads the terminal.
    const helper = join(h.dir, 'mfa-helper.sh')
    await writeFile(helper, 'printf "Code from the terminal: " >&2\nread code\necho "$code"\n', { mode: 0o700 })
    await h.writeConfig(`[profile caktus]\nregion = us-east-1\nmfa_serial = ${mfaSerial}\nmfa_process = sh ${helper}\n`)
    return h
  }

  it("echo '{}' | vault export: the code typed at the terminal reaches STS", async () => {
    const out = join(home.dir, 'out.json')
    const term = await openTerminal(
      home.dir,
      home.env,
      `echo '{}' | ${process.execPath} ${vaultBin} export --format json caktus > ${out}; echo "EXPORTED $?"`,
    )
    try {
      await term.waitFor((s) => s.includes('Code from the terminal:'), 60_000)
      term.enter('246810')
      await term.waitFor((s) => /EXPORTED \d+/.test(s), 60_000)
      assert.match(term.screen(), /EXPORTED 0/)
    } finally {
      term.close()
    }
    assert.equal(JSON.parse(await readFile(out, 'utf8')).Version, 1)
    // One call; on a loaded machine an attempt past its deadline is sent again (harness.ts), with the same code.
    assert.equal(await services().recorder.count('GetSessionToken'), 1)
    const sessions = (await services().recorder.calls()).filter((c) => c.action === 'GetSessionToken')
    for (const s of sessions) assert.equal(new URLSearchParams(s.body).get('TokenCode'), '246810')
  })
})
