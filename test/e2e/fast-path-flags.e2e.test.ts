/**
 * Issue 12: for every flag that oclif.manifest.json declares for a command the fast path serves,
 * in every spelling (long, char, alias, --no-, --flag=value, -cVALUE, its environment variable),
 * the fast path either gives exactly what the full CLI gives or hands over to it. Each invocation
 * runs twice, as users run it and with VAULT_FAST_PATH=0, and stdout, stderr and the exit code
 * must match; VAULT_PATH_LOG says which path served the first run.
 *
 * The 514 runs took minutes one after another, so they run in LANES homes at once (issue 27), each
 * on a keyring of its own and primed as the one home was. Vault names a cached session by profile,
 * not by home, so homes on one keyring would share their sessions: a `clear`, or a session a run
 * stores, in one lane would change what another lane's second run sees. Apart, no process but a
 * lane's own touches its keyring or home: between a case's two runs, only the first changes it.
 * Each lane takes every LANES-th case of the one home's order, keeping that order: the priming,
 * then the cases of export, exec, list and status on the role and session it cached, then clear's
 * cases, after a clear of their own. moto and the strict STS are shared; they keep no state a run reads
 * but the credentials they issued.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { FlagSpec, Manifest } from '../../src/cli/command-line.js'
import { servedCommands } from '../../src/fast/entry.js'
import { freshHome, type Home, ownKeyring, repoRoot, type Services, useServices, vault } from './harness.js'

const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as Manifest

const config = `[profile caktus]
region = us-east-1

[profile saguaro]
source_profile = caktus
role_arn = arn:aws:iam::222222222222:role/Dev
`

interface Spelling {
  argv: string[]
  env: Record<string, string>
}

/** Every way a user can give `name`. Option values: each declared option, else a duration. */
function spellings(name: string, flag: FlagSpec): Spelling[] {
  const plain = (argv: string[]) => ({ argv, env: {} })
  if (flag.type === 'boolean') {
    const out = [plain([`--${name}`])]
    if (flag.char) out.push(plain([`-${flag.char}`]))
    for (const alias of flag.aliases ?? []) out.push(plain([`--${alias}`]))
    if (flag.allowNo) out.push(plain([`--no-${name}`]))
    if (flag.env) out.push({ argv: [], env: { [flag.env]: 'true' } })
    return out
  }
  // 15m, not 1h: the cached role lives 1 h, and `-d 1h` stops reusing it once 5 min (the window) have
  // passed, which a loaded machine reaches mid-test; then each run fetches anew and the two differ.
  const values = flag.options ? [...flag.options] : ['15m']
  const v = values[0]
  const out = values.map((value) => plain([`--${name}`, value]))
  out.push(plain([`--${name}=${values[values.length - 1]}`]))
  if (flag.char) out.push(plain([`-${flag.char}`, v]), plain([`-${flag.char}${v}`]), plain([`-${flag.char}=${v}`]))
  for (const alias of flag.aliases ?? []) out.push(plain([`--${alias}`, v]))
  if (flag.env) out.push({ argv: [], env: { [flag.env]: v } })
  return out
}

/** Where the flag goes in each command's line, and the profiles it is tried on. */
const lines: Record<string, (flag: string[], profile: string) => string[]> = {
  export: (flag, profile) => ['export', ...flag, profile],
  exec: (flag, profile) => ['exec', profile, ...flag, '--', '/usr/bin/printf', '%s|', 'ok'],
  list: (flag) => ['list', ...flag],
  status: (flag, profile) => ['status', ...flag, profile],
  clear: (flag, profile) => ['clear', ...flag, profile],
}
const profiles: Record<string, string[]> = {
  export: ['saguaro', 'caktus'],
  exec: ['saguaro'],
  list: [''],
  status: ['saguaro'],
  clear: ['', 'saguaro'],
}

/** Times left tick between the two runs ("59m58s", "took 12ms", "expiresInSeconds": 3565). */
const steady = (text: string) =>
  text.replace(/\b\d+(ms|h|m|s)(\d+(m|s))*\b/g, 'T').replace(/"expiresInSeconds": \d+/g, '"expiresInSeconds": T')

/** One invocation: its command, its line and the environment the spelling adds. */
interface Case {
  id: string
  argv: string[]
  env: Record<string, string>
}

/** Every command, flag, spelling and profile, in the order one home ran them: clear's last. */
const cases: Case[] = Object.keys(lines).flatMap((id) =>
  Object.entries(manifest.commands[id].flags).flatMap(([name, flag]) =>
    spellings(name, flag).flatMap((s) =>
      profiles[id].map((profile) => ({
        id,
        argv: lines[id](s.argv, profile).filter((a) => a !== ''),
        env: s.env,
      })),
    ),
  ),
)

/**
 * How many homes run the cases at once. Alone on the 2-core machine at load 4: one home 131 s wall
 * and 121 CPU-s, three 88 s and 121 CPU-s, four 87 s and 135 CPU-s; beside two busy loops (load
 * 4-9), the one home of before took 145 s and three 89 s (issue 27).
 */
const LANES = 3

/** What one command's cases gave: the spellings the fast path served, and the cases that failed. */
interface Outcome {
  served: string[]
  failures: unknown[]
}

/** Runs `c` as users run it and with VAULT_FAST_PATH=0; its label when the fast path served the first. */
async function check(home: Home, c: Case): Promise<string | undefined> {
  const log = join(home.dir, 'paths.log')
  await rm(log, { force: true })
  const users = await vault(c.argv, { env: { ...home.env, ...c.env, VAULT_PATH_LOG: log } })
  const full = await vault(c.argv, { env: { ...home.env, ...c.env, VAULT_FAST_PATH: '0' } })
  const label = `${JSON.stringify(c.env)} vault ${c.argv.join(' ')}`
  assert.equal(users.code, full.code, `${label}: exit code\n${users.stderr}\n${full.stderr}`)
  assert.equal(steady(users.stdout), steady(full.stdout), `${label}: stdout`)
  assert.equal(steady(users.stderr), steady(full.stderr), `${label}: stderr`)
  const path = (await readFile(log, 'utf8')).trim().split('\n').pop()
  return path === 'fast' ? label : undefined
}

describe('every manifest flag: the fast path honours it as the full CLI does, or hands over (issue 12)', () => {
  const services = useServices()
  const rings: Services[] = []
  const homes: Home[] = []
  before(async () => {
    const started = await Promise.allSettled(Array.from({ length: LANES - 1 }, () => ownKeyring(services())))
    for (const r of started) if (r.status === 'fulfilled') rings.push(r.value)
    for (const r of started) if (r.status === 'rejected') throw r.reason
    homes.push(
      ...(await Promise.all(
        [services(), ...rings].map(async (s) => {
          const home = await freshHome(s, config)
          // Cache both a role's credentials and caktus's GetSessionToken session, so a run can be a hit.
          for (const profile of ['saguaro', 'caktus']) {
            assert.equal((await vault(['export', profile], { env: home.env })).code, 0)
          }
          return home
        }),
      )),
    )
  })
  after(async () => {
    for (const ring of rings) await ring.stop()
  })

  /** Every lane's cases, run once for all the commands' tests; each case failure is kept for its command. */
  let outcomes: Promise<Map<string, Outcome>> | undefined
  const runLanes = () => {
    outcomes ??= (async () => {
      const byCommand = new Map(Object.keys(lines).map((id) => [id, { served: [], failures: [] } as Outcome]))
      const lane = async (home: Home, mine: Case[]) => {
        let cleared = false
        for (const c of mine) {
          const outcome = byCommand.get(c.id) as Outcome
          try {
            // clear runs last: with nothing cached, each of the two runs finds the same nothing to clear
            // (fast-path.e2e compares a clear of cached sessions on both paths).
            if (c.id === 'clear' && !cleared) {
              assert.equal((await vault(['clear'], { env: home.env })).code, 0)
              cleared = true
            }
            const served = await check(home, c)
            if (served) outcome.served.push(served)
          } catch (err) {
            outcome.failures.push(err)
          }
        }
      }
      await Promise.all(
        homes.map((home, i) =>
          lane(
            home,
            cases.filter((_, n) => n % homes.length === i),
          ),
        ),
      )
      return byCommand
    })()
    return outcomes
  }

  it('the served commands are exactly the ones this test covers', () => {
    assert.deepEqual([...servedCommands].sort(), Object.keys(lines).sort())
  })

  for (const id of Object.keys(lines)) {
    it(`${id}: every flag, every spelling`, async (t) => {
      const { served, failures } = (await runLanes()).get(id) as Outcome
      // The first failure fails the test; the others are told, as the lanes ran on past them.
      for (const err of failures.slice(1)) t.diagnostic(err instanceof Error ? err.message : String(err))
      if (failures.length) throw failures[0]
      // The fast path must serve the plain spellings of the common flags, not hand everything over.
      assert.ok(served.length > 0, `${id}: the fast path served none of the spellings`)
    })
  }
})
