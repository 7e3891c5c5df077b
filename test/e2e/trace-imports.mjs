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
