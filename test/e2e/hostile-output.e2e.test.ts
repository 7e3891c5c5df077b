/**
 * Issue 28, end to end: a credential_process hands vault hostile values (the issue's own
 * `;touch …;echo x\` among them), and bin/run.js prints them in every format, read by its real
 * consumer: bash, zsh and fish through the eval form and through `vault use` of the shell
 * integration; botocore's INI reader; JSON.parse. Nothing may run (the marker file is never
 * created), and every variable a child of the shell sees is the value, byte for byte, or vault
 * refuses the format with one line and exit 2 and prints nothing on stdout.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { exportedVariables } from '../../src/output/format.js'
import { hostileValues } from '../fakes/hostile.js'
import { type Home, makeHome, requireCommand, run, useServices, vault, vaultBin } from './harness.js'

const accessKeyId = 'ASIAEXAMPLEHOSTILE01'
const expiration = new Date(Date.now() + 3 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z')

/** A credential_process printing value N of the list as the session token (and in the secret). */
const credentialProcess = `const values = require(process.argv[2])
const v = values[Number(process.argv[3])]
process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: '${accessKeyId}', SecretAccessKey: 's' + v, SessionToken: v, Expiration: '${expiration}' }))
`

describe('hostile credential values through every format and shell integration (issue 28)', () => {
  const services = useServices()
  let home: Home
  let marker: string
  let values: string[]
  let shellEnv: Record<string, string>
  const ids = () => values.map((_, i) => i).join(' ')

  before(async () => {
    for (const shell of ['bash', 'zsh', 'fish', 'python3']) requireCommand(shell)
    home = await makeHome(services())
    marker = join(home.dir, 'PWNED')
    values = hostileValues(marker)
    await writeFile(join(home.dir, 'values.json'), JSON.stringify(values))
    await writeFile(join(home.dir, 'cp.cjs'), credentialProcess)
    const cp = `${process.execPath} ${join(home.dir, 'cp.cjs')} ${join(home.dir, 'values.json')}`
    await home.writeConfig(values.map((_, i) => `[profile h${i}]\ncredential_process = ${cp} ${i}\n`).join('\n'))
    const bin = join(home.dir, 'bin')
    await mkdir(bin)
    await writeFile(join(bin, 'vault'), `#!/bin/sh\nexec "${process.execPath}" "${vaultBin}" "$@"\n`)
    await chmod(join(bin, 'vault'), 0o755)
    shellEnv = { ...home.env, PATH: `${bin}:${home.env.PATH}`, D: home.dir }
  })

  /** What value N must give each variable. */
  const expected = (i: number) => ({
    AWS_VAULT: `h${i}`,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: `s${values[i]}`,
    AWS_SESSION_TOKEN: values[i],
    AWS_CREDENTIAL_EXPIRATION: expiration,
  })

  /** Runs `script` in `shell`; it writes `env -0` to $D/TAG-N after loading profile hN. */
  async function inShell(shell: 'bash' | 'zsh' | 'fish', script: string, tag: string) {
    const args = shell === 'fish' ? ['--no-config', '-c', script] : ['-c', script]
    // One vault run per value: each gets the deadline a single run gets elsewhere (harness.ts), so a
    // loaded machine (load 40: 15 s a run) does not end a loop that is only slow (issue 27).
    const r = await run(args, { cmd: shell, env: shellEnv, timeoutMs: values.length * 120_000 })
    assert.equal(existsSync(marker), false, `${tag}: a value ran code\n${r.stderr}`)
    assert.equal(r.code, 0, `${tag}: ${r.stderr}`)
    for (const [i, value] of values.entries()) {
      const dump = await readFile(join(home.dir, `${tag}-${i}`), 'utf8')
      const env = Object.fromEntries(
        dump
          .split('\0')
          .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])
          .filter(([k]) => (exportedVariables as readonly string[]).includes(k as string)),
      )
      assert.deepEqual(env, expected(i), `${tag}: ${JSON.stringify(value)} round-trips`)
    }
  }

  it('the eval form: export-env in bash and zsh, --format fish in fish', async () => {
    const posix = `for i in ${ids()}; do eval "$(vault export --format export-env h$i)" || exit 1; env -0 > "$D/$0-$i"; done`
    await inShell('bash', posix.replace('$0', 'eval-bash'), 'eval-bash')
    await inShell('zsh', posix.replace('$0', 'eval-zsh'), 'eval-zsh')
    const fish = `for i in ${ids()}; vault export --format fish h$i | source; or exit 1; env -0 > "$D/eval-fish-$i"; end`
    await inShell('fish', fish, 'eval-fish')
  })

  it('vault use of the shell integration in bash, zsh and fish', async () => {
    const posix = (shell: string) =>
      `eval "$(vault shell-init ${shell})"\nfor i in ${ids()}; do vault use h$i || exit 1; env -0 > "$D/use-${shell}-$i"; done`
    await inShell('bash', posix('bash'), 'use-bash')
    await inShell('zsh', posix('zsh'), 'use-zsh')
    const fish = `vault shell-init fish | source\nfor i in ${ids()}; vault use h$i; or exit 1; env -0 > "$D/use-fish-$i"; end`
    await inShell('fish', fish, 'use-fish')
  })

  it('--format env and ini print a value their readers all take literally, or refuse in one line, exit 2', async () => {
    const iniFiles: Array<{ file: string; i: number }> = []
    for (const format of ['env', 'ini'] as const) {
      for (const [i, value] of values.entries()) {
        const r = await vault(['export', '--format', format, `h${i}`], { env: home.env, timeoutMs: 60_000 })
        if (r.code !== 0) {
          assert.equal(r.code, 2, r.stderr)
          assert.equal(r.stdout, '', 'nothing half-written')
          assert.match(
            r.stderr,
            new RegExp(
              `^vault: --format ${format} cannot hold AWS_SECRET_ACCESS_KEY|^vault: --format ${format} cannot hold aws_secret_access_key`,
            ),
          )
          assert.equal(r.stderr.split('\n').length, 2, 'one line')
          continue
        }
        if (format === 'env') {
          assert.match(r.stdout, new RegExp(`^AWS_SESSION_TOKEN=${value}$`, 'm'), JSON.stringify(value))
        } else {
          const file = join(home.dir, `ini-${i}`)
          await writeFile(file, r.stdout)
          iniFiles.push({ file, i })
        }
      }
    }
    assert.ok(iniFiles.length >= 8, `ini holds quotes, $(…) and backslashes (${iniFiles.length})`)
    const read = spawnSync(
      'python3',
      [
        '-c',
        'import json,sys\nfrom botocore.configloader import raw_config_parse\nprint(json.dumps([raw_config_parse(f) for f in sys.argv[1:]]))',
        ...iniFiles.map((f) => f.file),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    )
    assert.equal(read.status, 0, read.stderr)
    for (const [n, parsed] of (JSON.parse(read.stdout) as Array<Record<string, Record<string, string>>>).entries()) {
      const i = iniFiles[n]?.i as number
      assert.equal(parsed[`h${i}`]?.aws_session_token, values[i])
      assert.equal(parsed[`h${i}`]?.aws_secret_access_key, `s${values[i]}`)
    }
    assert.equal(existsSync(marker), false)
  })

  it('--format json: every value comes back from JSON.parse', async () => {
    for (const [i, value] of values.entries()) {
      const r = await vault(['export', '--format', 'json', `h${i}`], { env: home.env, timeoutMs: 60_000 })
      assert.equal(r.code, 0, r.stderr)
      assert.equal(JSON.parse(r.stdout).SessionToken, value)
    }
  })
})
