#!/usr/bin/env node
// npm run build and npm pack (prepack): compiles src/ to dist/, bundles the cache-hit fast path
// (dist/fast-bundle/entry.cjs) and the full CLI (dist/cli/bundle.cjs), writes their V8 code caches
// (the fast one after a warm-up, scripts/warm-up/), then oclif.manifest.json. One Node
// script rather than a shell line, so that it runs the same on Linux, macOS and Windows (cmd.exe
// has no rm, and no VAR=value prefix).
//
// A build is skipped when neither its inputs nor its outputs changed since the last one (issue 27:
// `npm run test:quick` builds first, and a build costs ~15 CPU-seconds).
// node_modules/.cache/vault-build-stamp holds a digest of both; any difference (an edited source, a
// missing or hand-edited output, another Node) builds it all again. --force builds regardless.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleWarmUp } from './warm-up/bundle.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))

function node(args, env = {}, cleanUp = () => {}) {
  const res = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  cleanUp()
  if (res.status !== 0) {
    console.error(`build: node ${args.join(' ')} failed`)
    process.exit(res.status ?? 1)
  }
}

/** Runs a package's bin with this Node, from the repository root; stops the build on failure. */
function run(pkg, bin, args, env = {}) {
  const pjson = require(`${pkg}/package.json`)
  const rel = typeof pjson.bin === 'string' ? pjson.bin : pjson.bin[bin]
  node([join(dirname(require.resolve(`${pkg}/package.json`)), rel), ...args], env)
}

/** A digest of the files at `paths` (folders walked), each by its path and bytes; absent ones count too. */
function digest(paths) {
  const hash = createHash('sha256')
  const add = (rel) => {
    const abs = join(root, rel)
    if (!existsSync(abs)) return hash.update(`absent ${rel}\0`)
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) add(`${rel}/${name}`)
      return
    }
    hash.update(`${rel}\0${statSync(abs).size}\0`).update(readFileSync(abs))
  }
  for (const p of paths) add(p)
  return hash.digest('hex')
}

// Everything the steps below read, the Node that runs them (V8 ties the code cache to its version)
// and the installed dependencies (npm's record of node_modules), then everything they write.
const inputs = () =>
  `${process.version} ${process.platform} ${process.arch}\n${digest([
    'src',
    'scripts',
    'bin',
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'node_modules/.package-lock.json',
  ])}`
// Outside dist/, which the package ships.
const stampFile = join(root, 'node_modules', '.cache', 'vault-build-stamp')
const outputs = () => digest(['dist', 'oclif.manifest.json'])
const before = inputs()
if (!process.argv.includes('--force') && existsSync(stampFile)) {
  if (readFileSync(stampFile, 'utf8') === `${before}\n${outputs()}\n`) {
    console.log('build: dist/ and oclif.manifest.json are up to date (node scripts/build.mjs --force builds anyway)')
    process.exit(0)
  }
}

rmSync(join(root, 'dist'), { recursive: true, force: true })
run('typescript', 'tsc', ['-p', 'tsconfig.json'])
// The two bundles bin/load-bundle.cjs loads with V8's code cache. Neither holds an import(): a
// script compiled with vm has no loader for one, so esbuild turns each into require()
// (bin/load-bundle.cjs); and import.meta.url becomes the bundle's own URL. Both sit two folders
// below the root, as src/ files do, so their relative URLs (../../bin/keyring-host.cjs) hold.
// esbuild's JS API, not its bin: npm 11 skips esbuild's install script (package.json allowScripts),
// which on other npm versions replaces the bin with the native executable.
const bundleOptions = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  supported: { 'dynamic-import': false },
  minify: true,
  logLevel: 'warning',
  define: { 'import.meta.url': '__vault_import_meta_url' },
  banner: { js: "const __vault_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
}
// Loaded from node_modules when used: the native keychain module, and what a cache miss, a prompt
// or a browser needs (a hit never loads them).
const runtimeDeps = ['@napi-rs/keyring', '@aws-sdk/*', '@inquirer/*', 'lru-cache', 'open', 'jose']
// The fast bundle: the cache-hit path without oclif (src/fast/entry.ts).
require('esbuild').buildSync({
  ...bundleOptions,
  entryPoints: ['src/fast/entry.ts'],
  outfile: 'dist/fast-bundle/entry.cjs',
  external: [...runtimeDeps, '@oclif/*'],
})
// The full CLI with oclif and its help plugin (src/cli/bundle.ts), which package.json's oclif
// targets name. oclif's optional TypeScript support (typescript, ts-node) is for development only.
// keepNames: oclif's parse errors are told apart by their class names (src/cli/parse-errors.ts).
require('esbuild').buildSync({
  ...bundleOptions,
  keepNames: true,
  entryPoints: ['src/cli/bundle.ts'],
  outfile: 'dist/cli/bundle.cjs',
  external: [...runtimeDeps, 'typescript', 'ts-node'],
})
// V8 holds a source with one non-ASCII character as two bytes a character: twice the memory on
// every run, and an earlier garbage collection. esbuild leaves them in regular expressions
// (ansi-regex's \u009B); as \uXXXX escapes they mean the same in a string, a template, a regular
// expression (with or without the u flag: a surrogate pair is read as its code point) and a comment.
for (const file of ['dist/fast-bundle/entry.cjs', 'dist/cli/bundle.cjs']) {
  const text = readFileSync(join(root, file), 'utf8')
  const ascii = text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (ascii !== text) writeFileSync(join(root, file), ascii)
}
// The agent's client (src/agent/fast-client.ts), which bin/run.js tries before anything else: small
// enough that a hit served by the agent costs a round trip, not a bundle load.
require('esbuild').buildSync({
  absWorkingDir: root,
  entryPoints: ['src/agent/fast-client.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: 'dist/fast-bundle/agent-client.cjs',
  minify: true,
  logLevel: 'warning',
})
// The code cache, in a process of its own: V8 ties a cache to the flags it was made with. The
// warm-up that serves hits before it (scripts/warm-up/) is build-time code: bundled to a temporary
// folder, run against the bundle, removed; neither dist/ nor the package holds it.
const warmUpDir = mkdtempSync(join(tmpdir(), 'vault-build-'))
const warmUp = join(warmUpDir, 'warm-up.cjs')
bundleWarmUp(warmUp)
node(
  ['-e', "require('./bin/load-bundle.cjs').writeCodeCache('fast', require(process.argv[1]).warmUp)", warmUp],
  {},
  () => rmSync(warmUpDir, { recursive: true, force: true }),
)
// The CLI bundle's code cache holds what loading it compiles (its modules' top levels): a warm-up
// that ran commands would also write files, and measured no faster.
node(['-e', "require('./bin/load-bundle.cjs').writeCodeCache('cli')"])
// The oclif CLI asks the registry for a newer oclif on every run and prints "update available":
// a build asks no registry anything (issue 23).
run('oclif', 'oclif', ['manifest'], { OCLIF_SKIP_NEW_VERSION_CHECK: 'true' })
// Inputs read before the build: a source edited while it ran makes the next build run again.
mkdirSync(dirname(stampFile), { recursive: true })
writeFileSync(stampFile, `${before}\n${outputs()}\n`)
