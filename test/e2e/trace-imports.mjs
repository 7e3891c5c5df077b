// Loaded with `node --import`: appends every module URL the process resolves to $TRACE_FILE.
import { register } from 'node:module'

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(process.env.TRACE_FILE, result.url + '\\n')
  return result
}`)}`,
)
