// Loads vault's two bundles with V8's code cache, which the build writes beside each (BUNDLE.cache):
// - fast: dist/fast-bundle/entry.cjs, the cache-hit path (~120 KB). Compiling it is ~8 ms of every
//   cache hit; from the cache, V8 deserializes it in ~2 ms.
// - cli: dist/cli/bundle.cjs, the full CLI with oclif (~650 KB, src/cli/bundle.ts). From the cache,
//   ~45 ms less CPU than require() compiling it, and ~0.2 CPU-s less than oclif and dist/ loaded
//   one module at a time (issue 27).
// The cache is only an accelerator: V8 checks it against the source and its own version and flags,
// and a rejected or missing cache means a normal compile. The producer and the consumer wrap the
// source here, in one place, so the two always match.
//
// A script compiled here has no loader for import(): the bundles hold none (esbuild turns each
// one into require(), scripts/build.mjs), and the ESM-only packages they require (jose, open) load
// through require() of ES modules, which is why vault needs Node 20.19 or later (bin/run.js).
'use strict'

const { readFileSync, writeFileSync, renameSync } = require('node:fs')
const { join, dirname } = require('node:path')

const dist = join(__dirname, '..', 'dist')
const bundles = { fast: join(dist, 'fast-bundle', 'entry.cjs'), cli: join(dist, 'cli', 'bundle.cjs') }

/** The bundle's file and its code cache's. */
function paths(name) {
  const bundle = bundles[name]
  if (!bundle) throw new Error(`load-bundle: no bundle named ${name}`)
  return { bundle, cacheFile: `${bundle}.cache` }
}

function compile(name, cachedData) {
  const { Script } = require('node:vm')
  const { wrap } = require('node:module')
  const { bundle } = paths(name)
  return new Script(wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData })
}

/**
 * Runs the compiled module wrapper as require() would, and returns its exports. The module is
 * registered under its file name, as require() registers one: oclif require()s the CLI bundle to
 * find its commands (package.json's oclif targets), and must get this instance, not a second one.
 */
function evaluate(name, script) {
  const Module = require('node:module')
  const { bundle } = paths(name)
  const mod = new Module(bundle, module)
  mod.filename = bundle
  mod.paths = Module._nodeModulePaths(dirname(bundle))
  Module._cache[bundle] = mod
  try {
    script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, dirname(bundle))
  } catch (err) {
    delete Module._cache[bundle]
    throw err
  }
  mod.loaded = true
  return mod.exports
}

/** The bundle's exports, from the code cache when V8 accepts it. */
function loadBundle(name) {
  let cachedData
  try {
    cachedData = readFileSync(paths(name).cacheFile)
  } catch {
    return require(paths(name).bundle)
  }
  return evaluate(name, compile(name, cachedData))
}

/**
 * Writes the code cache for the current bundle (npm run build), after `warmUp(exports)` has run
 * through the bundle's exports, on stand-ins (the fast bundle's: scripts/warm-up/, which the build
 * bundles apart and never ships): V8 puts in the cache the functions compiled so far, so a run then
 * finds them compiled. A warm-up that rejects fails the build.
 */
async function writeCodeCache(name, warmUp = async () => {}) {
  const script = compile(name, undefined)
  await warmUp(evaluate(name, script))
  const { cacheFile } = paths(name)
  const tmp = `${cacheFile}.${process.pid}`
  writeFileSync(tmp, script.createCachedData(), { mode: 0o644 })
  renameSync(tmp, cacheFile)
}

module.exports = { loadBundle, writeCodeCache, compile, paths }
