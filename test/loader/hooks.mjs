// Module hooks that run this repo's TypeScript (registered by register.mjs, which says why).
// What tsc would emit, file by file: esbuild strips the types (and the imports only types use) and
// reads the emit options from tsconfig.json (target ES2022, hence class fields defined as tsc does).
import { createHash, randomUUID } from 'node:crypto'
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const tsconfig = readFileSync(new URL('../../tsconfig.json', import.meta.url), 'utf8')
const options = {
  loader: 'ts',
  format: 'esm',
  // As scripts/build.mjs builds the bundles: the oldest Node that package.json's engines allows.
  target: 'node20',
  // Stack traces name the .ts file and line (register.mjs turns source maps on). Without the
  // sources' text each cached file is half the size, and Node reads its map whenever it loads it.
  sourcemap: 'inline',
  sourcesContent: false,
  // esbuild reads the options that change the emit (target, useDefineForClassFields,
  // verbatimModuleSyntax, experimentalDecorators...) from the text, comments allowed.
  tsconfigRaw: tsconfig,
}
const esbuildVersion = createRequire(import.meta.url)('esbuild/package.json').version
// A transform is cached under a name made of everything it depends on: the options, esbuild's
// version, the file's path (the source map names it) and its text. So concurrent processes, other
// worktrees and old sources can share the folder: a name, once written, never changes meaning.
const optionsKey = createHash('sha256')
  .update(`${esbuildVersion}\0${JSON.stringify(options)}`)
  .digest('hex')

/**
 * The cache folder, or undefined where it cannot be trusted: it runs as code, so it must be a folder
 * of this user's that nobody else may write to (another user may have made the name first in a
 * shared /tmp). Without it each process transforms what it loads, which is slower, not wrong.
 */
let cacheDir
function trustedCacheDir() {
  if (cacheDir !== undefined) return cacheDir || undefined
  const dir = join(tmpdir(), `vault-test-ts-${process.getuid?.() ?? 'user'}`)
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const st = lstatSync(dir)
    const ours = !process.getuid || (st.uid === process.getuid() && (st.mode & 0o022) === 0)
    cacheDir = st.isDirectory() && ours ? dir : ''
  } catch {
    cacheDir = ''
  }
  return cacheDir || undefined
}

const jsSpecifier = /\.(m?)js$/
const tsPath = /\.m?ts$/
const local = (specifier) => /^(\.{1,2}\/|\/|file:)/.test(specifier)

/** NodeNext imports name the .js file tsc would write: where there is none, the .ts file runs. */
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context)
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !local(specifier) || !jsSpecifier.test(specifier)) throw err
    try {
      return await next(specifier.replace(jsSpecifier, '.$1ts'), context)
    } catch {
      throw err
    }
  }
}

/** A .ts or .mts file as an ES module (package.json says "type": "module"), from the cache if there. */
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !tsPath.test(new URL(url).pathname)) return next(url, context)
  const path = fileURLToPath(url)
  const source = readFileSync(path, 'utf8')
  const key = createHash('sha256').update(`${optionsKey}\0${path}\0${source}`).digest('hex').slice(0, 40)
  const dir = trustedCacheDir()
  const cached = dir && join(dir, `${key}.js`)
  let code
  try {
    if (cached) code = readFileSync(cached, 'utf8')
  } catch {}
  if (code === undefined) {
    code = await transform(source, path)
    // Written whole under a name of its own, then renamed: a process reading the cache sees a whole
    // file or none, however many write the same one at once.
    if (cached) {
      const tmp = `${cached}.${randomUUID()}.tmp`
      try {
        writeFileSync(tmp, code, { mode: 0o600, flag: 'wx' })
        renameSync(tmp, cached)
      } catch {
        rmSync(tmp, { force: true })
      }
    }
  }
  return { format: 'module', source: code, shortCircuit: true }
}

let esbuild
async function transform(source, path) {
  // Loaded on the first miss only: it starts esbuild's own process (~0.1 CPU-s).
  esbuild ??= await import('esbuild')
  return (await esbuild.transform(source, { ...options, sourcefile: path })).code
}
