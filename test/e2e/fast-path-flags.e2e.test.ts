/**
 * Issue 12: for every flag that oclif.manifest.json declares for a command the fast path serves,
 * in every spelling (long, char, alias, --no-, --flag=value, -cVALUE, its environment variable),
 * the fast path either gives exactly what the full CLI gives or hands over to it. Each invocation
 * runs twice, as users run it and with VAULT_FAST_PATH=0, and stdout, stderr and the exit code
 * must match; VAULT_PATH_LOG says which path served the first run.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import type { FlagSpec, Manifest } from '../../src/cli/command-line.js'
import { servedCommands } from '../../src/fast/entry.js'
import { freshHome, type Home, repoRoot, useServices, vault } from './harness.js'

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

describe('every manifest flag: the fast path honours it as the full CLI does, or hands over (issue 12)', () => {
  const services = useServices()
  let home: Home
  before(async () => {
    home = await freshHome(services(), config)
    // Cache both a role's credentials and caktus's GetSessionToken session, so a run can be a hit.
    for (const profile of ['saguaro', 'caktus']) {
      assert.equal((await vault(['export', profile], { env: home.env })).code, 0)
    }
  })

  it('the served commands are exactly the ones this test covers', () => {
    assert.deepEqual([...servedCommands].sort(), Object.keys(lines).sort())
  })

  for (const id of Object.keys(lines)) {
    it(`${id}: every flag, every spelling`, async () => {
      const served: string[] = []
      // clear runs last: with nothing cached, each of the two runs finds the same nothing to clear
      // (fast-path.e2e compares a clear of cached sessions on both paths).
      if (id === 'clear') assert.equal((await vault(['clear'], { env: home.env })).code, 0)
      for (const [name, flag] of Object.entries(manifest.commands[id].flags)) {
        for (const s of spellings(name, flag)) {
          for (const profile of profiles[id]) {
            const argv = lines[id](s.argv, profile).filter((a) => a !== '')
            const log = join(home.dir, 'paths.log')
            await rm(log, { force: true })
            const users = await vault(argv, { env: { ...home.env, ...s.env, VAULT_PATH_LOG: log } })
            const full = await vault(argv, { env: { ...home.env, ...s.env, VAULT_FAST_PATH: '0' } })
            const label = `${JSON.stringify(s.env)} vault ${argv.join(' ')}`
            assert.equal(users.code, full.code, `${label}: exit code\n${users.stderr}\n${full.stderr}`)
            assert.equal(steady(users.stdout), steady(full.stdout), `${label}: stdout`)
            assert.equal(steady(users.stderr), steady(full.stderr), `${label}: stderr`)
            const path = (await readFile(log, 'utf8')).trim().split('\n').pop()
            if (path === 'fast') served.push(label)
          }
        }
      }
      // The fast path must serve the plain spellings of the common flags, not hand everything over.
      assert.ok(served.length > 0, `${id}: the fast path served none of the spellings`)
    })
  }
})
