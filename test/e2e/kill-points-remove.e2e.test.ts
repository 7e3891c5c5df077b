/**
 * Issue 15: vault killed with SIGKILL at random points of `remove` and `clear`, against the real
 * Secret Service (gnome-keyring on a private D-Bus), the strict STS and moto's IAM. Each command is
 * timed once unkilled; the kills then land at random points over that span. After every kill the
 * next command must give one clear answer. The other kill points: kill-points-rotate.e2e and
 * kill-points-export.e2e (`vault add` and `vault import` have their own: store-stress.e2e and
 * import.e2e). Shared helpers: kill-points.ts.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { mfaRolesConfig, testKeys, vault } from './harness.js'
import { assertClear, indexAndKeychain, killedAfter, ok, timed, useKillPointServices } from './kill-points.js'

describe('vault killed with SIGKILL at random points (issue 15)', () => {
  const { home: newHome } = useKillPointServices()

  it('`vault remove` and `vault clear` killed mid-way: the profile is there or gone, and list, export, clear agree', async (t) => {
    const home = await newHome()
    await home.writeConfig(
      `${mfaRolesConfig([{ name: 'dev', account: '111111111111' }])}\n[profile gone]\nregion = us-east-1\n`,
    )
    await ok('add caktus', ['add', 'caktus', '--env'], { ...home.env, ...testKeys })
    const goneKeys = { AWS_ACCESS_KEY_ID: 'AKIAREMOVEKILL000001', AWS_SECRET_ACCESS_KEY: 'r'.repeat(40) }
    const addGone = () => ok('add gone', ['add', 'gone', '--env', '--no-add-config'], { ...home.env, ...goneKeys })
    const exportArgs = ['export', '--format', 'json', 'dev', '--mfa-token', '123456']
    await addGone()
    await ok('warm', exportArgs, home.env)
    const removeSpan = await timed(['remove', 'gone', '-f'], home.env, addGone)
    const clearSpan = await timed(['clear'], home.env, () => ok('warm', exportArgs, home.env))
    const stored = async (label: string) => {
      const listed = JSON.parse((await ok(label, ['list', '--json'], home.env)).stdout) as Array<{
        profile: string
        credentials: string | null
      }>
      return listed.find((p) => p.profile === 'gone')?.credentials === 'gone'
    }
    let killed = 0
    let runs = 0
    while (killed < 20 && runs < 60) {
      runs++
      const removing = runs % 2 === 0
      const r = removing
        ? await killedAfter(['remove', 'gone', '-f'], home.env, Math.random() * removeSpan)
        : await killedAfter(['clear'], home.env, Math.random() * clearSpan)
      if (r.killed) killed++
      else assert.equal(r.code, 0, r.stderr)
      const label = `${removing ? 'remove' : 'clear'} killed (${killed})`
      if (removing) {
        // There or gone, and `list` and a lookup say the same; a rerun removes what is left.
        const listed = await stored(label)
        const lookup = await vault(['export', '--no-session', '--format', 'json', 'gone'], { env: home.env })
        assertClear(label, lookup)
        if (lookup.code === 0) assert.equal(JSON.parse(lookup.stdout).AccessKeyId, goneKeys.AWS_ACCESS_KEY_ID)
        else assert.match(lookup.stderr, /no credentials/, `${label}: ${lookup.stderr}`)
        assert.equal(listed, lookup.code === 0, `${label}: list says ${listed}, export exited ${lookup.code}`)
        if (lookup.code === 0) await ok(`${label}: rerun`, ['remove', 'gone', '-f'], home.env)
        await addGone()
      } else {
        // Whatever sessions are left, the export answers (and caches again for the next kill).
        await ok(`${label}: export`, exportArgs, home.env)
        if (runs % 5 === 0) {
          await ok(`${label}: rerun`, ['clear'], home.env)
          assert.equal((await ok(`${label}: again`, ['clear'], home.env)).stdout, 'Cleared 0 sessions.\n')
          await ok(`${label}: warm`, exportArgs, home.env)
        }
      }
    }
    assert.ok(killed >= 20, `only ${killed} of ${runs} were killed`)
    const { index, keychain } = await indexAndKeychain(home)
    assert.deepEqual(
      index.profiles.filter((p) => !keychain.has(p)),
      [],
      'the index names no profile whose keys are gone',
    )
    t.diagnostic(`${killed} of ${runs} removes and clears killed, spans ${removeSpan} / ${clearSpan} ms`)
  })
})
