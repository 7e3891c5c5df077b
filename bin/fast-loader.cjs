// Loads the cache-hit bundle (dist/fast-bundle/entry.cjs) with V8's code cache, which the build
// writes beside it (entry.cjs.cache). Compiling the 120 KB bundle is ~8 ms of every cache hit; with
// the cache, V8 deserializes it in ~2 ms. The cache is only an accelerator: V8 checks it against
// the source and its own version and flags, and a rejected or missing cache means a normal compile.
// The producer and the consumer wrap the source here, in one place, so the two always match.
'use strict'

const { readFileSync, writeFileSync, renameSync } = require('node:fs')
const { join, dirname } = require('node:path')

const bundle = join(__dirname, '..', 'dist', 'fast-bundle', 'entry.cjs')
const cacheFile = `${bundle}.cache`

function compile(cachedData) {
  const { Script } = require('node:vm')
  const { wrap } = require('node:module')
  // The bundle has no import(): a script compiled here has no loader for it (esbuild turns each
  // one into require(), see the bundle script in package.json).
  return new Script(wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData })
}

/** Runs the compiled module wrapper as require() would, and returns its exports. */
function evaluate(script) {
  const { createRequire } = require('node:module')
  const mod = { exports: {}, filename: bundle, id: bundle, loaded: false }
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle))
  mod.loaded = true
  return mod.exports
}

/** The bundle's exports, from the code cache when V8 accepts it. */
function loadFastBundle() {
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    return require(bundle)
  }
  return evaluate(compile(cachedData))
}

/**
 * Writes the code cache for the current bundle (npm run build), after `warmUp(exports)` has served
 * cache hits once through the bundle's exports, on stand-ins (scripts/warm-up/, which the build
 * bundles apart and never ships): V8 puts in the cache the functions compiled so far, so a hit then
 * runs them without compiling them first. A warm-up that rejects fails the build.
 */
async function writeCodeCache(warmUp) {
  const script = compile(undefined)
  await warmUp(evaluate(script))
  const tmp = `${cacheFile}.${process.pid}`
  writeFileSync(tmp, script.createCachedData(), { mode: 0o644 })
  renameSync(tmp, cacheFile)
}

module.exports = { loadFastBundle, writeCodeCache, compile, bundle, cacheFile }
