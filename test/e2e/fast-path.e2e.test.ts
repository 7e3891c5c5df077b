import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Home, makeHome, run, type Services, startServices, testKeys, vault, vaultBin } from './harness.js'

const config = `[default]
region = us-east-1

[profile src]

[profile role]
source_profile = src
role_arn = arn:aws:iam::222222222222:role/Dev
`
const tracer = join(import.meta.dirname, 'trace-imports.mjs')

/** The module URLs a vault run resolved. */
async function importsOf(home: Home, args: string[], name: string, extra: Record<string, string> = {}) {
  const traceFile = join(home.dir, `${name}.trace`)
  const res = await run(['--import', tracer, vaultBin, ...args], {
    env: { ...home.env, ...extra, TRACE_FILE: traceFile },
    cmd: process.execPath,
  })
  assert.equal(res.code, 0, res.stderr)
  return { res, urls: (await readFile(traceFile, 'utf8')).split('\n').filter(Boolean) }
}

/** What a cache hit must not load: the SDK, prompts, oclif (the CLI bundle holds it), and the builtins kept lazy for speed. */
const heavy = (urls: string[]) =>
  urls.filter(
    (u) =>
      /node_modules\/(@aws-sdk|@inquirer|@oclif)\//.test(u) ||
      u.endsWith('/dist/cli/bundle.cjs') ||
      /^(node:)?(crypto|http|https|readline|tty|lru-cache)$/.test(u),
  )

describe('the cache-hit fast path (issue 9)', () => {
  let services: Services
  let home: Home
  before(async () => {
    services = await startServices()
    home = await makeHome(services)
    await home.writeConfig(config)
    assert.equal((await vault(['add', 'src', '--env'], { env: { ...home.env, ...testKeys } })).code, 0)
  })
  after(async () => {
    await home?.cleanup()
    await services?.stop()
  })

  it('a cache miss loads the AWS SDK (the tracer sees it), a cache hit loads neither the SDK, prompts nor oclif', async () => {
    const cold = await importsOf(home, ['export', '--format', 'json', 'role'], 'cold')
    assert.ok(
      cold.urls.some((u) => u.includes('node_modules/@aws-sdk/client-sts/')),
      'a miss calls STS through the SDK',
    )
    assert.ok(
      cold.urls.some((u) => u.endsWith('/bin/load-bundle.cjs')),
      'the tracer sees require() too',
    )
    assert.ok(
      cold.urls.some((u) => u.endsWith('/dist/cli/bundle.cjs')),
      'a miss runs the full CLI from its bundle',
    )
    assert.deepEqual(
      cold.urls.filter((u) => /node_modules\/@oclif\/|\/dist\/(commands|cli\/main\.js)/.test(u)),
      [],
      'the full CLI loads oclif and the commands from its bundle, not module by module',
    )
    for (const args of [['export', '--format', 'json', 'role'], ['exec', 'role', '--', 'true'], ['list']]) {
      const warm = await importsOf(home, args, args[0])
      assert.deepEqual(heavy(warm.urls), [], `${args.join(' ')} loaded heavy modules`)
      // Only exec starts a process: child_process (~2 ms) stays unloaded for the others.
      const spawns = warm.urls.some((u) => /^(node:)?child_process$/.test(u))
      assert.equal(spawns, args[0] === 'exec', `${args.join(' ')} and node:child_process`)
      // export and exec read one item over vault's own D-Bus client: the native keyring module
      // (its load, and its synchronous connect in each entry, ~10 ms) is left for writes.
      if (args[0] !== 'list') {
        assert.deepEqual(
          warm.urls.filter((u) => u.includes('/@napi-rs/')),
          [],
          `${args.join(' ')} loaded the native keyring module`,
        )
      }
    }
  })

  for (const name of ['fast', 'cli']) {
    it(`the ${name} bundle is compiled from the code cache the build wrote: V8 accepts it, it holds no import(), and it is ASCII`, async () => {
      // A script compiled with vm has no loader for import() (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING),
      // so the bundle must not contain one (the word in a string, as oclif's messages have it, is no
      // call); and a cache V8 rejects would silently cost ~8 ms a hit, ~45 ms a full run.
      // One non-ASCII character (esbuild keeps them in regex literals) makes V8 hold the whole
      // source as a two-byte string: twice the memory on every run, and an earlier garbage collection.
      const loader = join(import.meta.dirname, '..', '..', 'bin', 'load-bundle.cjs')
      const res = await run(
        [
          '-e',
          `const l = require(${JSON.stringify(loader)}); const fs = require('node:fs')
           const { bundle, cacheFile } = l.paths(${JSON.stringify(name)})
           const script = l.compile(${JSON.stringify(name)}, fs.readFileSync(cacheFile))
           const source = fs.readFileSync(bundle, 'utf8')
           console.log(JSON.stringify({ rejected: script.cachedDataRejected, imports: /(?<![\\w$."\`])import\\(/.test(source), nonAscii: source.match(/[^\\x00-\\x7f].{0,20}/)?.[0] ?? null }))`,
        ],
        { env: home.env, cmd: process.execPath },
      )
      assert.equal(res.code, 0, res.stderr)
      assert.deepEqual(JSON.parse(res.stdout), { rejected: false, imports: false, nonAscii: null })
    })
  }

  it("the build's warm-up serves every hit on stand-ins in its own process, and touches nothing of the machine's", async () => {
    // scripts/build.mjs bundles scripts/warm-up/ apart and bin/load-bundle.cjs writes the code cache
    // after its warmUp: a warm-up that failed would fail the build, one that did less would go
    // unnoticed. It drives the product bundle's exports; the bundle itself holds none of it.
    const bundle = join(import.meta.dirname, '..', '..', 'dist', 'fast-bundle', 'entry.cjs')
    assert.ok(!(await readFile(bundle, 'utf8')).includes('AKIAWARMUP'), 'the product bundle holds no warm-up')
    const scratch = await mkdtemp(join(tmpdir(), 'vault-warm-up-test-'))
    try {
      const [emptyHome, emptyTmp] = [join(scratch, 'home'), join(scratch, 'tmp')]
      await Promise.all([mkdir(emptyHome), mkdir(emptyTmp)])
      const warmUp = join(scratch, 'warm-up.cjs')
      const bundler = join(import.meta.dirname, '..', '..', 'scripts', 'warm-up', 'bundle.mjs')
      const { bundleWarmUp } = (await import(bundler)) as { bundleWarmUp: (outfile: string) => void }
      bundleWarmUp(warmUp)
      const res = await run(
        [
          '-e',
          `require(${JSON.stringify(warmUp)}).warmUp(require(${JSON.stringify(bundle)})).then(() =>
             console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes('@napi-rs')))))`,
        ],
        {
          // A bus address that does not exist: the warm-up must use only its own.
          env: {
            PATH: process.env.PATH ?? '',
            HOME: emptyHome,
            TMPDIR: emptyTmp,
            DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(scratch, 'no-bus')}`,
          },
          cmd: process.execPath,
        },
      )
      assert.equal(res.code, 0, res.stderr)
      assert.equal(res.stderr, '')
      assert.equal(res.stdout, '[]\n', 'nothing printed, and the native keyring module never loaded')
      assert.deepEqual(await readdir(emptyHome), [], 'HOME untouched')
      assert.deepEqual(await readdir(emptyTmp), [], 'its temporary folder removed')
    } finally {
      await rm(scratch, { recursive: true, force: true })
    }
  })

  it('serves the same bytes as the full CLI', async () => {
    for (const args of [
      ['export', 'role'],
      ['export', '--format', 'ini', 'role'],
      ['export', '--format=json', 'role'],
      ['list'],
      ['list', '--credentials'],
      ['exec', 'role', '--', 'sh', '-c', 'echo $AWS_VAULT $AWS_REGION'],
    ]) {
      const fast = await vault(args, { env: home.env })
      const full = await vault(args, { env: { ...home.env, VAULT_FAST_PATH: '0' } })
      // list shows time left to the second (aws-vault's 7h59m59s): the two runs are seconds apart.
      const timeLeft = (text: string) => text.replace(/:((\d+h)?\d+m)?\d+s/g, ':<time left>')
      assert.equal(fast.code, full.code, args.join(' '))
      assert.equal(timeLeft(fast.stdout), timeLeft(full.stdout), args.join(' '))
      assert.equal(fast.stderr, full.stderr, args.join(' '))
    }
  })

  it('list --json carries the same rows (times left may differ by a second)', async () => {
    const strip = (text: string) =>
      JSON.parse(text).map((r: { sessions: Array<Record<string, unknown>> }) => ({
        ...r,
        sessions: r.sessions.map(({ expiresInSeconds: _, ...s }) => s),
      }))
    const fast = await vault(['list', '--json'], { env: home.env })
    const full = await vault(['list', '--json'], { env: { ...home.env, VAULT_FAST_PATH: '0' } })
    assert.deepEqual(strip(fast.stdout), strip(full.stdout))
  })

  it('clear is served by the fast path, loading neither oclif, the SDK nor the native module, and clears what the full CLI clears, in the same bytes', async () => {
    const pathLog = join(home.dir, 'clear-paths.log')
    for (const args of [['clear'], ['clear', 'role']]) {
      const outputs: Array<{ code: number | null; stdout: string; stderr: string }> = []
      for (const path of ['fast', 'full']) {
        // Cached: src's GetSessionToken session and role's credentials.
        for (const profile of ['src', 'role'])
          assert.equal((await vault(['export', profile], { env: home.env })).code, 0)
        await rm(pathLog, { force: true })
        const extra = { VAULT_PATH_LOG: pathLog, ...(path === 'full' ? { VAULT_FAST_PATH: '0' } : {}) }
        const { res, urls } = await importsOf(home, args, `${args.join('-')}-${path}`, extra)
        assert.equal((await readFile(pathLog, 'utf8')).trim(), path, `${args.join(' ')}: the path that served it`)
        assert.equal(res.stdout, args.length === 1 ? 'Cleared 2 sessions.\n' : 'Cleared 1 session.\n')
        if (path === 'fast') {
          // A clear writes (the store index, atomically: node:crypto names its draft); of the heavy
          // modules, it loads no package.
          assert.deepEqual(
            heavy(urls).filter((u) => u.includes('/')),
            [],
            `${args.join(' ')} loaded heavy modules`,
          )
          assert.deepEqual(
            urls.filter((u) => u.includes('/@napi-rs/')),
            [],
            `${args.join(' ')}: removing over vault's own D-Bus client loads no native module`,
          )
        }
        outputs.push({ code: res.code, stdout: res.stdout, stderr: res.stderr })
      }
      assert.deepEqual(outputs[0], outputs[1], args.join(' '))
    }
  })

  it('errors on the fast path read exactly as on the full CLI', async () => {
    for (const [args, extra] of [
      [['export', 'nosuch'], {}],
      [['exec', 'role', '--', 'true'], { AWS_VAULT: 'role' }],
      [['export', '--format', 'yaml', 'role'], {}],
      [['clear', 'nosuch'], {}],
    ] as const) {
      const fast = await vault([...args], { env: { ...home.env, ...extra } })
      const full = await vault([...args], { env: { ...home.env, ...extra, VAULT_FAST_PATH: '0' } })
      assert.notEqual(fast.code, 0)
      assert.equal(fast.code, full.code, args.join(' '))
      assert.equal(fast.stderr, full.stderr, args.join(' '))
    }
  })
})
