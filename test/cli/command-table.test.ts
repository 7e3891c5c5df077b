import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { commands as helpPlugin } from '@oclif/plugin-help'
import { COMMANDS } from '../../src/cli/commands.js'

// Issue 27: oclif finds the commands in src/cli/commands.ts (the "explicit" strategy), not by walking
// src/commands/. A command file left out of the table would be a command that does not exist.
describe('the command table (src/cli/commands.ts)', () => {
  const dir = join(import.meta.dirname, '..', '..', 'src', 'commands')
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))

  it('holds every file under src/commands/, by the id its path gives it, and @oclif/plugin-help', async () => {
    const want: Record<string, unknown> = { help: helpPlugin.help }
    for (const f of files) {
      const id = relative(dir, join(dir, f)).replace(/\.ts$/, '').split(sep).join(':')
      want[id] = ((await import(pathToFileURL(join(dir, f)).href)) as { default: unknown }).default
    }
    assert.ok(files.length >= 20, `${files.length} command files`)
    assert.deepEqual(Object.keys(COMMANDS).sort(), Object.keys(want).sort())
    for (const [id, command] of Object.entries(want)) {
      assert.equal(COMMANDS[id as keyof typeof COMMANDS], command, `${id}: another class in the table`)
    }
  })
})
