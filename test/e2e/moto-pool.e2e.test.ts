/**
 * issue 27: the moto pool that test/run.js shares among e2e files. A claimed server is the
 * claimer's alone; the next claimer sees it as a fresh moto (no IAM user, an empty recording that
 * is on); a claimer that dies frees its server; stop() leaves no moto_server and no folder.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readlinkSync } from 'node:fs'
import { dirname } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MotoRecorder, requireCommand } from './harness.js'
import { iamAt as iam } from './iam.js'
import { claimMoto, startMotoPool } from './moto-pool.mjs'

/** Processes whose working folder is under `dir`: the pool starts each moto_server in its own. */
function processesUnder(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/cwd`).startsWith(`${dir}/`)
      } catch {
        return false
      }
    })
    .map(Number)
}

describe('the moto pool (issue 27)', () => {
  let pool: Awaited<ReturnType<typeof startMotoPool>>
  let socket: string
  before(async () => {
    requireCommand('moto_server')
    pool = await startMotoPool()
    socket = pool.env.VAULT_TEST_MOTO_POOL
  })
  after(async () => {
    await pool?.stop()
  })

  it('hands the next claimer the same server as a fresh one: no IAM user, an empty recording that is on', async () => {
    const first = await claimMoto(socket)
    await iam(first.url, 'CreateUser', { UserName: 'left-behind' })
    assert.match(await iam(first.url, 'ListUsers'), /left-behind/)
    assert.equal(await new MotoRecorder(first.url).count('CreateUser'), 1)
    await first.release()

    const second = await claimMoto(socket)
    try {
      assert.equal(second.url, first.url, 'a released server is used again, not a new one started')
      assert.equal(await new MotoRecorder(second.url).count('CreateUser'), 0)
      assert.doesNotMatch(await iam(second.url, 'ListUsers'), /left-behind/)
      assert.equal(await new MotoRecorder(second.url).count('ListUsers'), 1, 'recording is on')
      assert.ok(existsSync(second.strictSts), 'the strict STS is bundled for the claimer')
    } finally {
      await second.release()
    }
  })

  it('gives two claimers at once two servers, and frees the server of a claimer that died', async () => {
    const held = await claimMoto(socket)
    // A claimer in another process, killed while it holds its server.
    const claimer = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { claimMoto } = await import(${JSON.stringify(new URL('./moto-pool.mjs', import.meta.url).href)})
const c = await claimMoto(${JSON.stringify(socket)})
console.log(c.url)
setInterval(() => {}, 1000)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = ''
        claimer.stdout.on('data', (d) => {
          out += d
          if (out.includes('\n')) ok(out.trim())
        })
        claimer.once('exit', (code) => fail(new Error(`the claimer exited with ${code}: ${out}`)))
      })
      assert.notEqual(url, held.url, 'a held server is not handed out twice')
      await iam(url, 'CreateUser', { UserName: 'dead-claimer' })
      const exited = new Promise((r) => claimer.once('exit', r))
      claimer.kill('SIGKILL')
      await exited

      const next = await claimMoto(socket)
      try {
        assert.equal(next.url, url, "the dead claimer's server is free again")
        assert.doesNotMatch(await iam(next.url, 'ListUsers'), /dead-claimer/)
      } finally {
        await next.release()
      }
    } finally {
      claimer.kill('SIGKILL')
      await held.release()
    }
  })

  it('stop() leaves no moto_server running and removes its folder', async () => {
    const dir = dirname(socket)
    assert.equal(processesUnder(dir).length, 2, 'the two servers of the tests above')
    await pool.stop()
    assert.deepEqual(processesUnder(dir), [])
    assert.equal(existsSync(dir), false)
  })
})
