#!/usr/bin/env node
// Lists every relative import in src/ that goes up a floor, and every file-level import cycle.
// The floors are issue 27's (ARCHITECTURE.md draws them): an import may only go down, or sideways
// within its floor. Type-only and lazy (`import('…')`) imports count like any other.
//
// An upward import that cannot be avoided carries a comment that says why, on the line above it
// or at its end, starting `floors:` (e.g. `// floors: …`); it is then listed as explained, not as a
// fault. Exit status: 0 when no unexplained upward import and no cycle remain, 1 otherwise.
//
//   node scripts/floors.mjs          # the report
//   node scripts/floors.mjs --json   # the same, for a test
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The floor table, top (1) to bottom (7): path prefixes under the repository root. The longest
 * matching prefix decides, so a file can sit on another floor than its folder.
 */
export const FLOORS = [
  {
    floor: 1,
    name: 'entry points and the composition root',
    paths: ['bin/', 'src/cli/', 'src/compose/', 'src/commands/', 'src/fast/'],
  },
  { floor: 2, name: 'use cases', paths: ['src/usecases/'] },
  {
    floor: 3,
    name: 'hand-out endpoints and flows',
    paths: ['src/agent/', 'src/server/', 'src/audit/', 'src/sso/', 'src/iam/', 'src/login/'],
  },
  { floor: 4, name: 'the credential chain', paths: ['src/vault/'] },
  {
    floor: 5,
    name: 'configuration, MFA, sessions',
    paths: ['src/config/', 'src/mfa/', 'src/sessions/', 'src/aws-vault/'],
  },
  { floor: 6, name: 'secret stores', paths: ['src/stores/'] },
  {
    floor: 7,
    name: 'primitives and ports',
    paths: [
      'src/dbus/',
      'src/lock/',
      'src/aws/',
      'src/exec/',
      'src/shell/',
      'src/output/',
      'src/fs/',
      'src/text/',
      'src/terminal/',
      'src/runtime/',
      'src/errors.ts',
    ],
  },
]

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** The floor of a repository-relative path, or undefined when the table does not place it. */
export function floorOf(path) {
  let best
  for (const { floor, paths } of FLOORS) {
    for (const prefix of paths) {
      if (path.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { floor, prefix }
    }
  }
  return best?.floor
}

function sourceFiles(dir) {
  const out = []
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) out.push(...sourceFiles(path))
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

// Static imports and re-exports (`import … from '…'`, `export … from '…'`, `import '…'`) and lazy
// ones (`import('…')`). Comments are not stripped: a commented-out import would count, which is
// the safe side.
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"](\.[^'"]+)['"]|(?:^|[\s;])import\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm

/** The relative imports of one file: { from, to, line, lazy, explained }. */
export function importsOf(path, text) {
  const lines = text.split('\n')
  const lineStarts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1)
  const lineAt = (index) => {
    let lo = 0
    let hi = lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (lineStarts[mid] <= index) lo = mid
      else hi = mid - 1
    }
    return lo
  }
  const out = []
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]
    const target = relative(root, resolve(root, dirname(path), spec)).replace(/\.js$/, '.ts')
    const first = lineAt(m.index + (m[0].length - m[0].trimStart().length))
    const last = lineAt(m.index + m[0].length - 1)
    const explained =
      /\/\/\s*floors:/.test(lines[last] ?? '') || precedingComment(lines, first).some((l) => /floors:/.test(l))
    out.push({ from: path, to: target.split('\\').join('/'), line: first + 1, lazy: Boolean(m[3]), explained })
  }
  return out
}

/** The comment lines directly above line `index`. */
function precedingComment(lines, index) {
  const out = []
  for (let i = index - 1; i >= 0; i--) {
    const l = lines[i].trim()
    if (!(l.startsWith('//') || l.startsWith('*') || l.startsWith('/*'))) break
    out.push(l)
  }
  return out
}

/** Strongly connected components with more than one file (Tarjan), each sorted. */
export function cycles(edges) {
  const graph = new Map()
  for (const { from, to } of edges) {
    if (!graph.has(from)) graph.set(from, new Set())
    if (!graph.has(to)) graph.set(to, new Set())
    graph.get(from).add(to)
  }
  let next = 0
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const found = []
  const visit = (v) => {
    index.set(v, next)
    low.set(v, next)
    next++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v)) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)))
    }
    if (low.get(v) === index.get(v)) {
      const scc = []
      let w
      do {
        w = stack.pop()
        onStack.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1) found.push(scc.sort())
    }
  }
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v)
  return found
}

export function report() {
  const edges = sourceFiles('src').flatMap((path) => importsOf(path, readFileSync(join(root, path), 'utf8')))
  const unplaced = [...new Set(edges.flatMap((e) => [e.from, e.to]).filter((p) => floorOf(p) === undefined))]
  const upward = edges
    .filter((e) => floorOf(e.from) !== undefined && floorOf(e.to) !== undefined && floorOf(e.to) < floorOf(e.from))
    .map((e) => ({ ...e, fromFloor: floorOf(e.from), toFloor: floorOf(e.to) }))
  return {
    upward: upward.filter((e) => !e.explained),
    explained: upward.filter((e) => e.explained),
    cycles: cycles(edges),
    unplaced,
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = report()
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
  } else {
    const show = (e) =>
      `  ${e.from}:${e.line} (floor ${e.fromFloor}) → ${e.to} (floor ${e.toFloor})${e.lazy ? ' [lazy]' : ''}`
    process.stdout.write(`upward imports without a "floors:" comment: ${r.upward.length}\n`)
    for (const e of r.upward) process.stdout.write(`${show(e)}\n`)
    process.stdout.write(`upward imports explained by a comment: ${r.explained.length}\n`)
    for (const e of r.explained) process.stdout.write(`${show(e)}\n`)
    process.stdout.write(`file-level cycles: ${r.cycles.length}\n`)
    for (const c of r.cycles) process.stdout.write(`  ${c.join(' ↔ ')}\n`)
    if (r.unplaced.length) process.stdout.write(`files on no floor (add them to FLOORS): ${r.unplaced.join(', ')}\n`)
  }
  process.exitCode = r.upward.length || r.cycles.length || r.unplaced.length ? 1 : 0
}
