/**
 * Issue 15: vault killed with SIGKILL at random points of `rotate`, against the real Secret Service
 * (gnome-keyring on a private D-Bus), the strict STS and moto's IAM. Each command is timed once
 * unkilled; the kills then land at random points over that span. After every kill the next command
 * must give one clear answer. The other kill points: kill-points-export.e2e and
 * kill-points-remove.e2e (`vault add` and `vault import` have their own: store-stress.e2e and
 * import.e2e). Shared helpers: kill-points.ts.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { vault } from './harness.js'
import { iam, iamKeys } from './iam.js'
import { assertNoSecretOnDisk, killedAfter, timed, useKillPointServices } from './kill-points.js'

describe('vault killed with SIGKILL at random points (issue 15)', () => {
  const { services, home: newHome } = useKillPointServices()

  it('`vault rotate` killed 30 times: the stored key is always one IAM has Active, and a rerun recovers', async (t) => {
    const user = 'killrot'
    const home = await newHome()
    await home.writeConfig(`[profile ${user}]\nregion = us-east-1\n`)
    await iam(services(), 'CreateUser', { UserName: user })
    const created = await iam(services(), 'CreateAccessKey', { UserName: user })
    const first = {
      AWS_ACCESS_KEY_ID: /<AccessKeyId>(\w+)</.exec(created)?.[1] ?? '',
      AWS_SECRET_ACCESS_KEY: /<SecretAccessKey>([^<]+)</.exec(created)?.[1] ?? '',
    }
    const added = await vault(['add', user, '--env'], { env: { ...home.env, ...first } })
    assert.equal(added.code, 0, added.stderr)
    const secrets = new Set([first.AWS_SECRET_ACCESS_KEY])

    /** The stored pair, which IAM must know as Active: never a stored key IAM no longer has. */
    const check = async (label: string) => {
      const r = await vault(['export', '--no-session', '--format', 'json', user], { env: home.env, timeoutMs: 60_000 })
      assert.equal(r.code, 0, `${label}: ${r.stderr}`)
      const stored = JSON.parse(r.stdout) as { AccessKeyId: string; SecretAccessKey: string }
      secrets.add(stored.SecretAccessKey)
      const keys = await iamKeys(services(), user)
      assert.ok(
        keys.some((k) => k.id === stored.AccessKeyId && k.status === 'Active'),
        `${label}: the stored key ${stored.AccessKeyId} is not an Active key of IAM's: ${JSON.stringify(keys)}`,
      )
      assert.ok(keys.length <= 2, `${label}: ${keys.length} keys`)
      return { stored: stored.AccessKeyId, keys: keys.map((k) => k.id) }
    }
    let orphans = 0
    const recovered = async (label: string) => {
      let r = await vault(['rotate', user, '--no-session'], { env: home.env, timeoutMs: 60_000 })
      // issue 28: a kill after CreateAccessKey but before the journal named the new key leaves a key
      // no record says vault made; rotate leaves it alone (it may be the user's) and names it,
      // masked. The user deletes it as told, and the next rotate recovers.
      const left = /^Left access key \*{16}(\w{4}) of IAM user \S+ alone: no rotation by vault created it$/m.exec(
        r.stderr,
      )
      if (r.code !== 0 && left) {
        const before = await check(`${label}: before deleting the key left alone`)
        const orphan = before.keys.find((k) => k !== before.stored && k.endsWith(left[1] as string))
        assert.ok(orphan, `${label}: the key left alone (…${left[1]}) is not the unstored one: ${r.stderr}`)
        await iam(services(), 'DeleteAccessKey', { UserName: user, AccessKeyId: orphan })
        orphans++
        r = await vault(['rotate', user, '--no-session'], { env: home.env, timeoutMs: 60_000 })
      }
      assert.equal(r.code, 0, `${label}: the rerun did not recover: ${r.stderr}`)
      const { stored, keys } = await check(label)
      assert.deepEqual(keys, [stored], `${label}: exactly one key at IAM, the stored one`)
    }

    const span = await timed(['rotate', user, '--no-session'], home.env, () => check('after a timed run'))
    let killed = 0
    let runs = 0
    let recoveries = 0
    while (killed < 30 && runs < 90) {
      runs++
      const r = await killedAfter(['rotate', user, '--no-session'], home.env, Math.random() * span)
      if (r.killed) killed++
      else assert.equal(r.code, 0, r.stderr)
      const state = await check(`after kill ${killed}`)
      // Every few kills, and whenever a kill left two keys, a rerun must leave one: the stored one.
      if (state.keys.length > 1 || runs % 8 === 0) {
        await recovered(`rerun after kill ${killed}`)
        recoveries++
      }
    }
    assert.ok(killed >= 30, `only ${killed} of ${runs} rotations were killed`)
    await recovered('the last rerun')
    // The key is usable: AWS (moto) names the user as its owner.
    const who = await vault(['exec', user, '--no-session', '--', 'aws', 'sts', 'get-caller-identity'], {
      env: home.env,
      timeoutMs: 60_000,
    })
    assert.equal(who.code, 0, who.stderr)
    assert.equal(JSON.parse(who.stdout).Arn, `arn:aws:iam::123456789012:user/${user}`)
    await assertNoSecretOnDisk(home.dir, [...secrets])
    t.diagnostic(
      `${killed} of ${runs} rotations killed, span ${span} ms, ${recoveries} reruns, ${orphans} keys left alone and deleted by hand`,
    )
  })
})
