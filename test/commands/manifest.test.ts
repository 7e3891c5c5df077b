import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { repoRoot } from '../e2e/harness.js'

// oclif discovers commands through the committed manifest: a stale one hides new commands and
// flags, or shows removed ones. The test regenerates it from dist/ and compares.
describe('oclif.manifest.json (issue 2)', () => {
  it('matches the commands in dist/', () => {
    const out = mkdtempSync(join(tmpdir(), 'vault-manifest-'))
    try {
      // `oclif manifest` writes into the plugin's folder: build a twin of the repo.
      copyFileSync(join(repoRoot, 'package.json'), join(out, 'package.json'))
      cpSync(join(repoRoot, 'dist'), join(out, 'dist'), { recursive: true }) // oclif's glob skips symlinks
      symlinkSync(join(repoRoot, 'node_modules'), join(out, 'node_modules'))
      const oclif = join(repoRoot, 'node_modules', '.bin', 'oclif')
      const res = spawnSync(oclif, ['manifest', out], { cwd: out, encoding: 'utf8' })
      assert.equal(res.status, 0, res.stderr)
      const fresh = JSON.parse(readFileSync(join(out, 'oclif.manifest.json'), 'utf8'))
      const committed = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8'))
      assert.deepEqual(
        committed.commands,
        fresh.commands,
        'oclif.manifest.json is stale: run npm run build and commit it',
      )
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
