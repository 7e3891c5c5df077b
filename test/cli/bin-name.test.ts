import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { adviseWith, binName } from '../../src/cli/bin-name.js'
import { reportError } from '../../src/cli/report-error.js'
import { UsageError } from '../../src/errors.js'
import { initScript } from '../../src/shell/init-script.js'

// Issue 23: one program, two names; what it tells the user to type names the one they ran.
describe('the bin the user ran (issue 23)', () => {
  const table: Array<[string | undefined, string]> = [
    ['/usr/local/bin/vault', 'vault'],
    ['/usr/local/bin/awsvault', 'awsvault'],
    ['/home/u/.npm-global/bin/av', 'av'],
    // node bin/run.js, and Windows' npm shims, which run bin/run.js itself
    ['/usr/lib/node_modules/awsvault-cli/bin/run.js', 'vault'],
    ['C:\\Users\\u\\AppData\\Roaming\\npm\\node_modules\\awsvault-cli\\bin\\run.js', 'vault'],
    ['C:\\Users\\u\\AppData\\Roaming\\npm\\awsvault.cmd', 'awsvault'],
    [undefined, 'vault'],
    ['', 'vault'],
    // not a word a shell function can be named after
    ['/tmp/$(reboot)', 'vault'],
    ['/tmp/9lives', 'vault'],
  ]
  for (const [path, want] of table) {
    it(`${JSON.stringify(path)} -> ${want}`, () => assert.equal(binName(path), want))
  }

  it('advice names the bin; prose about vault stays', () => {
    assert.equal(
      adviseWith(
        'no credentials for "x"; run: vault add x, or see vault COMMAND --help; vault holds a lock',
        'awsvault',
      ),
      'no credentials for "x"; run: awsvault add x, or see awsvault COMMAND --help; vault holds a lock',
    )
    assert.equal(
      adviseWith('store keys with: vault add x; `vault export`', 'awsvault'),
      'store keys with: awsvault add x; `awsvault export`',
    )
    assert.equal(adviseWith('run: vault add x', 'vault'), 'run: vault add x')
  })

  it('errors reported for awsvault advise awsvault', () => {
    const out: string[] = []
    const stderr = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream
    const code = reportError(new UsageError('profile "x" has no keys', 'run: vault add x'), stderr, false, 'awsvault')
    assert.equal(code, 2)
    assert.equal(out.join(''), 'vault: profile "x" has no keys; run: awsvault add x\n')
  })

  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    it(`shell-init ${shell} for awsvault defines awsvault, calls command awsvault, completes awsvault`, () => {
      const script = initScript(shell, [], 'awsvault')
      assert.match(script, shell === 'fish' ? /^function awsvault$/m : /^awsvault\(\) \{$/m)
      assert.match(
        script,
        shell === 'fish' ? /command awsvault export --format fish/ : /command awsvault export --format export-env/,
      )
      assert.match(
        script,
        shell === 'fish' ? /^complete -c awsvault -f$/m : /^complete -o default -F _vault_complete awsvault$/m,
      )
      assert.doesNotMatch(script, /command vault|complete -c vault |_vault_complete vault$|^vault\(\)/m)
    })
  }
})
