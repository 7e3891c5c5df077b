import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, it } from 'node:test'
// @ts-expect-error: a plain .mjs script (scripts/floors.mjs), the one place the floor table is declared.
import { cycles, FLOORS, floorOf, importsOf, report } from '../../scripts/floors.mjs'

// Issue 27's "Done when": the structure drawn from the imports shows no circle, every upward import
// commented, no file over 350 lines in src/stores/, and the composition root built only at the top.
// ARCHITECTURE.md describes the floors; scripts/floors.mjs holds them as data; this test holds the tree to them.

const root = join(import.meta.dirname, '..', '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'))
}

describe('floors (scripts/floors.mjs, ARCHITECTURE.md)', () => {
  const r = report()

  it('every file under src/ is on a floor', () => {
    assert.deepEqual(r.unplaced, [])
    for (const f of sourceFiles('src')) assert.notEqual(floorOf(f), undefined, f)
  })

  it('no import goes up a floor without a "floors:" comment that says why', () => {
    const show = (e: { from: string; line: number; to: string }) => `${e.from}:${e.line} → ${e.to}`
    assert.deepEqual(r.upward.map(show), [])
  })

  it('no file-level import cycle', () => {
    assert.deepEqual(r.cycles, [])
  })

  it('the composition root is built only on the top floor', () => {
    const builders = sourceFiles('src').filter((f) =>
      importsOf(f, readFileSync(join(root, f), 'utf8')).some(
        (e: { to: string; lazy: boolean }) => e.to === 'src/compose/runtime.ts',
      ),
    )
    assert.ok(builders.length > 0)
    for (const f of builders) assert.equal(floorOf(f), 1, `${f} imports the composition root`)
  })

  it('no file in src/stores/ is over 350 lines', () => {
    const long = sourceFiles('src/stores')
      .map((f) => ({ f, lines: readFileSync(join(root, f), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 350)
    assert.deepEqual(long, [])
  })

  it('the floor table lists each path prefix once', () => {
    const prefixes = FLOORS.flatMap((f: { paths: string[] }) => f.paths)
    assert.equal(new Set(prefixes).size, prefixes.length)
  })
})

// The checker itself can fail: an upward import, an explained one, and a cycle, on made-up files.
describe('scripts/floors.mjs finds what it must', () => {
  it('an upward import is found, and a "floors:" comment explains it', () => {
    const plain = importsOf('src/stores/x.ts', "import { a } from '../usecases/y.js'\n")
    assert.equal(plain.length, 1)
    assert.equal(plain[0].to, 'src/usecases/y.ts')
    assert.equal(plain[0].explained, false)
    assert.ok(floorOf(plain[0].to) < floorOf('src/stores/x.ts'))
    const said = importsOf('src/stores/x.ts', "// floors: a reason\nimport { a } from '../usecases/y.js'\n")
    assert.equal(said[0].explained, true)
    const lazy = importsOf('src/stores/x.ts', "const m = await import('../vault/z.js')\n")
    assert.deepEqual([lazy[0].to, lazy[0].lazy], ['src/vault/z.ts', true])
  })

  it('a cycle of two or three files is found; a chain is not', () => {
    assert.deepEqual(
      cycles([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'c', to: 'd' },
      ]),
      [['a', 'b', 'c']],
    )
    assert.deepEqual(cycles([{ from: 'a', to: 'b' }]), [])
  })
})
