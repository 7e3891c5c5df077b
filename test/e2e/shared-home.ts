/**
 * One home for all the tests of a file (issue 27). A fresh home per test (freshHome in a
 * beforeEach) cost a `vault add` per test, each a vault start-up on a 2-core machine, to reach the
 * state the previous test's home was already in. Here `vault add` stores the keys once, through
 * freshHome, so the keychain item is still written by vault; each test then starts from the state
 * freshHome gives: `config` written again, no cached session (`vault clear`), moto's recorder and
 * the strict STS's log started afresh. Only for files whose tests neither change nor remove the
 * stored keys, and leave nothing in the home that changes what a later test sees.
 */
import { after, before, beforeEach } from 'node:test'
import { freshHome, type Home, type Services, vault } from './harness.js'

export function useSharedHome(
  services: () => Services,
  config: string,
  profile = 'caktus',
  extra: Record<string, string> = {},
): () => Home {
  let home: Home | undefined
  // freshHome has just cleared: the first test needs no clear of its own.
  let fresh = false
  before(async () => {
    home = await freshHome(services(), config, profile, extra)
    fresh = true
  })
  beforeEach(async () => {
    const h = current()
    if (fresh) {
      fresh = false
      return
    }
    await h.writeConfig(config)
    const cleared = await vault(['clear'], { env: h.env })
    if (cleared.code !== 0) throw new Error(`e2e: vault clear failed: ${cleared.stderr}`)
    await services().recorder.start()
    await services().sts.reset()
  })
  after(async () => {
    await home?.cleanup()
  })
  const current = () => {
    if (!home) throw new Error('e2e: the shared home is not made yet')
    return home
  }
  return current
}
