// Loaded with `node --import`: appends every module the process loads to $TRACE_FILE, whether
// through import (an ESM resolve hook) or require (a wrap of CommonJS resolution).
import { appendFileSync } from 'node:fs'
import Module, { register } from 'node:module'
import { pathToFileURL } from 'node:url'

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(process.env.TRACE_FILE, result.url + '\\n')
  return result
}`)}`,
)

const resolveFilename = Module._resolveFilename
Module._resolveFilename = function (...args) {
  const filename = resolveFilename.apply(this, args)
  appendFileSync(process.env.TRACE_FILE, `${filename.startsWith('/') ? pathToFileURL(filename).href : filename}\n`)
  return filename
}

// Builtins required as `node:x` skip _resolveFilename: record every public builtin that was
// loaded, from Node's own list, when the process ends. So are the bundles bin/load-bundle.cjs
// compiles from their code cache, which it registers as require() would: record those as well.
process.on('exit', () => {
  for (const filename of Object.keys(Module._cache))
    appendFileSync(process.env.TRACE_FILE, `${pathToFileURL(filename).href}\n`)
  const builtins = process.moduleLoadList
    .filter((m) => m.startsWith('NativeModule ') && !m.includes('internal/'))
    .map((m) => `node:${m.slice('NativeModule '.length)}`)
  appendFileSync(process.env.TRACE_FILE, builtins.map((b) => `${b}\n`).join(''))
})
