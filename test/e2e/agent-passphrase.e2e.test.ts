/**
 * issue 24, done-when: on the file backend, 20 `vault export` calls through the agent ask for the
 * passphrase once, on the terminal of the client that needed it, against 20 times without it.
 * The agent never gets the passphrase in its argv or environment.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { agentEnv, startAgent, stopAgent } from './agent-helpers.js'
import { freshHome, type Home, useServices, vaultBin } from './harness.js'
import { openTerminal, type Terminal } from './terminal.js'

const passphrase = 'e2e agent passphrase'
const config = '[profile caktus]\nregion = us-east-1\n'

describe('vault agent on the file backend (issue 24)', () => {
  const services = useServices()
  let home: Home
  let env: Record<string, string>
  let pid: number | undefined
  let term: Terminal | undefined
  beforeEach(async () => {
    // Keys added with the passphrase in the environment; the runs below have none.
    home = await freshHome(services(), config, 'caktus', {
      AWS_VAULT_BACKEND: 'file',
      AWS_VAULT_FILE_PASSPHRASE: passphrase,
    })
    const { AWS_VAULT_FILE_PASSPHRASE: _, ...rest } = agentEnv(home)
    env = rest
    pid = undefined
  })
  afterEach(async () => {
    term?.close()
    await stopAgent(env, pid)
    await home?.cleanup()
  })

  /** Runs 20 exports in a terminal, typing the passphrase at each prompt; returns how many prompts. */
  async function twentyExports(runEnv: Record<string, string>): Promise<number> {
    // Each run says its number: an answered prompt stays on the screen until the next run clears
    // it, and at load 25 the next run's prompt was up before the screen was read again, so waiting
    // for the prompt to go never ended. A prompt is answered once its run has ended.
    const loop = `for i in $(seq 20); do clear; echo RUN $i; ${process.execPath} ${vaultBin} export caktus >/dev/null || echo FAILED; done; clear; echo ALL""DONE`
    const run = (screen: string) => /RUN (\d+)/.exec(screen)?.[1]
    term = await openTerminal(home.dir, runEnv, loop)
    let prompts = 0
    for (;;) {
      const screen = await term.waitFor((s) => s.includes('Enter passphrase') || s.includes('ALLDONE'), 120_000)
      if (screen.includes('ALLDONE')) break
      prompts++
      term.enter(passphrase)
      const answered = run(screen)
      await term.waitFor((s) => s.includes('ALLDONE') || (run(s) !== undefined && run(s) !== answered), 120_000)
    }
    assert.ok(!term.screen().includes('FAILED'), term.screen())
    return prompts
  }

  it('20 exports through the agent ask for the passphrase once; 20 without it ask 20 times', async () => {
    pid = await startAgent(env)
    assert.equal(await twentyExports(env), 1)
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8')
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8')
    assert.ok(!cmdline.includes(passphrase) && !environ.includes(passphrase), 'the passphrase reached argv or env')
    term?.close()
    assert.equal(await twentyExports({ ...env, AWS_VAULT_AGENT_SOCK: '' }), 20)
  })
})
