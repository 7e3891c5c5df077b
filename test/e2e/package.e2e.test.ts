import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  assumedRoleArn,
  awsCallerArn,
  makeHome,
  mfaRolesConfig,
  quietSdk,
  repoRoot,
  requireCommand,
  run,
  testKeys,
  useServices,
} from './harness.js'

/**
 * Issue 23: the package a user installs. One fresh clone of this checkout's committed HEAD
 * (uncommitted changes are not in it: commit before running this file), `npm ci`, `npm pack`,
 * `npm install -g --prefix` of the tarball, shared by every test here; then the seed flow through
 * both installed bins against the real Secret Service and the strict STS.
 */
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string
  version: string
  bin: Record<string, string>
}
const bins = Object.keys(pkg.bin)
/** npm's stderr and stdout noise that is npm's own and not the package's (its own update notice). */
const npmEnv = (): Record<string, string> => ({
  ...(process.env as Record<string, string>),
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_prefer_offline: 'true',
})

interface Packed {
  files: Array<{ path: string; size: number }>
  size: number
  unpackedSize: number
  filename: string
}

async function step(cmd: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  // npm ci and the build are minutes on a busy machine: a generous deadline, still a deadline.
  const res = await run(args, { cmd, cwd, env: npmEnv(), timeoutMs: 15 * 60_000 })
  assert.equal(res.code, 0, `${cmd} ${args.join(' ')} failed:\n${res.stderr}\n${res.stdout}`)
  return res
}

describe('the installed package, from a fresh clone (issue 23)', () => {
  const services = useServices()
  let tmp: string
  let prefix: string
  let packed: Packed
  const logs: Record<string, string> = {}

  before(async () => {
    requireCommand('git')
    tmp = await mkdtemp(join(tmpdir(), 'vault-package-'))
    const clone = join(tmp, 'clone')
    prefix = join(tmp, 'prefix')
    await step('git', ['clone', '--quiet', repoRoot, clone], tmp)
    const ci = await step('npm', ['ci'], clone)
    logs.ci = ci.stderr + ci.stdout
    const pack = await step('npm', ['pack', '--json'], clone)
    logs.pack = pack.stderr + pack.stdout
    // prepack's own output (the build) comes first on stdout; npm's JSON is the rest.
    packed = (JSON.parse(pack.stdout.slice(pack.stdout.search(/^\[/m))) as Packed[])[0]
    const install = await step('npm', ['install', '-g', '--prefix', prefix, join(clone, packed.filename)], clone)
    logs.install = install.stderr
  })
  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it('npm ci and the build (prepack) print no warning', () => {
    // A warning line (npm's "npm warn …", a tool's "Warning: …"), not a file named warn-limit.js.
    const warning = /^\W*(npm )?warn(ing)?\b|update available/im
    assert.doesNotMatch(logs.ci, warning, logs.ci)
    // The build's output is in npm pack's stderr (prepack): no "update available", no warning.
    assert.doesNotMatch(logs.pack, warning, logs.pack)
    assert.doesNotMatch(logs.install, warning, logs.install)
  })

  it('the tarball holds what runs and nothing else', () => {
    const paths = packed.files.map((f) => f.path)
    for (const p of paths) {
      assert.doesNotMatch(p, /^(src|test|bench|scripts|\.ci|\.github)\//, p)
      assert.notEqual(p, 'bin/dev.js')
      assert.doesNotMatch(p, /\.ts$/, `${p}: sources are not shipped`)
      // What runs from dist/ is its bundles (bin/load-bundle.cjs); tsc's module-per-file tree is not.
      if (p.startsWith('dist/')) assert.match(p, /^dist\/(cli\/bundle\.cjs|fast-bundle\/)/, p)
    }
    for (const p of [
      'package.json',
      'LICENSE',
      'README.md',
      'oclif.manifest.json',
      'bin/run.js',
      'bin/load-bundle.cjs',
      'bin/keyring-host.cjs',
      'bin/package.json',
      'dist/cli/bundle.cjs',
      'dist/cli/bundle.cjs.cache',
      'dist/fast-bundle/entry.cjs',
      'dist/fast-bundle/entry.cjs.cache',
    ]) {
      assert.ok(paths.includes(p), `${p} is missing from the tarball`)
    }
    // 0.71 MB packed on 2026-12-07 (the two bundles and their code caches): a bound that catches a
    // node_modules or a source map shipped by mistake.
    assert.ok(packed.size < 1_000_000, `tarball is ${packed.size} bytes`)
  })

  it('the installed package.json names no entry point that does not exist', async () => {
    const installed = JSON.parse(await readFile(join(prefix, 'lib', 'node_modules', pkg.name, 'package.json'), 'utf8'))
    assert.equal(installed.main, undefined)
    assert.equal(installed.exports, undefined)
    assert.deepEqual(Object.keys(installed.bin).sort(), ['awsvault', 'vault'])
  })

  for (const bin of bins) {
    it(`${bin}: add, exec of a role with MFA, export from the fast path, list, clear`, async () => {
      requireCommand('aws')
      const cmd = join(prefix, 'bin', bin)
      const home = await makeHome(services(), quietSdk)
      await home.writeConfig(
        mfaRolesConfig([{ name: 'role1', account: '111111111111' }], { defaultRegion: 'us-east-1' }),
      )
      const env = { ...home.env, PATH: `${join(prefix, 'bin')}:${home.env.PATH}` }
      const sh = (args: string[], extra: Record<string, string> = {}) => run(args, { cmd, env: { ...env, ...extra } })
      await services().recorder.start()

      const added = await sh(['add', 'caktus', '--env'], testKeys)
      assert.equal(added.code, 0, added.stderr)

      const exec = await sh(['exec', 'role1', '-t', '123456', '--', ...awsCallerArn])
      assert.equal(exec.code, 0, exec.stderr)
      assert.equal(exec.stdout.trim(), assumedRoleArn('111111111111'))
      assert.equal(await services().recorder.count('GetSessionToken'), 1)
      assert.equal(await services().recorder.count('AssumeRole'), 1)

      const pathLog = join(home.dir, 'paths.log')
      const exported = await sh(['export', 'role1'], { VAULT_PATH_LOG: pathLog })
      assert.equal(exported.code, 0, exported.stderr)
      assert.match(exported.stdout, /^AWS_ACCESS_KEY_ID=ASIA/m)
      assert.equal(await readFile(pathLog, 'utf8'), 'fast\n', 'a cache hit is served by the fast path')
      assert.equal(await services().recorder.count('AssumeRole'), 1)

      const listed = await sh(['list'])
      assert.equal(listed.code, 0, listed.stderr)
      assert.match(listed.stdout, /^caktus\s+caktus\s+sts\.GetSessionToken/m)

      const cleared = await sh(['clear'])
      assert.equal(cleared.code, 0, cleared.stderr)
      const after = await sh(['list'])
      assert.doesNotMatch(after.stdout, /sts\./)

      // What the user is told to type names the bin they ran.
      const init = await sh(['shell-init', 'bash'])
      assert.match(init.stdout, new RegExp(`^${bin}\\(\\) \\{$`, 'm'))
      assert.match(init.stdout, new RegExp(`command ${bin} "\\$@"`))
      await home.cleanup()
    })
  }
})
