import assert from 'node:assert/strict'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { freshHome, type Home, requireCommand, type Services, startServices, vaultBin } from './harness.js'
import { openTerminal, type Terminal } from './terminal.js'

// dev holds keys; saguaro is a role over it (no MFA, so moto answers without a prompt).
const config = `[profile dev]
region = eu-west-1

[profile saguaro]
source_profile = dev
role_arn = arn:aws:iam::222222222222:role/Dev
region = us-east-1

[profile bare]
source_profile = dev
role_arn = arn:aws:iam::222222222222:role/Dev
`

/** The rc file of each shell: a plain prompt, then the integration as README tells users to load it. */
const shells = {
  bash: { rc: '.bashrc', start: 'bash -i', text: `PS1='$ '\neval "$(vault shell-init bash)"\n` },
  zsh: { rc: '.zshrc', start: 'zsh -i', text: `PROMPT='$ '\neval "$(vault shell-init zsh)"\n` },
  fish: {
    rc: '.config/fish/config.fish',
    start: 'fish -i',
    text: `set -g fish_greeting ''\nfunction fish_prompt; echo -n '$ '; end\nvault shell-init fish | source\n`,
  },
} as const

/** Writes the names of the AWS_ variables in the environment to $HOME/probe-TAG, then says `TAG:done`. */
const probe = `#!/bin/sh\nenv | grep '^AWS_' | cut -d= -f1 | sort > "$HOME/probe-$1"\necho "$1:done"\n`

/** The eval form of each shell (README): POSIX shells eval export-env, fish sources --format fish. */
const evalForm = {
  bash: (args: string) => `eval "$(vault export --format export-env ${args})"`,
  zsh: (args: string) => `eval "$(vault export --format export-env ${args})"`,
  fish: (args: string) => `vault export --format fish ${args} | source`,
} as const

describe('shell integration in real bash, zsh and fish (issue 17)', () => {
  let services: Services
  let home: Home
  before(async () => {
    for (const name of Object.keys(shells)) requireCommand(name)
    services = await startServices()
    home = await freshHome(services, config, 'dev')
    const bin = join(home.dir, 'bin')
    await mkdir(bin)
    await writeFile(join(bin, 'vault'), `#!/bin/sh\nexec "${process.execPath}" "${vaultBin}" "$@"\n`)
    await writeFile(join(bin, 'probe'), probe)
    // The AWS_ variables with their values, but the secrets: what a switch must leave behind.
    await writeFile(
      join(bin, 'probe-values'),
      `#!/bin/sh\nenv | grep '^AWS_' | grep -v '^AWS_SECRET\\|^AWS_SESSION\\|^AWS_ACCESS' | sort > "$HOME/probe-$1"\nenv | grep -o '^AWS_SESSION_TOKEN' >> "$HOME/probe-$1"\necho "$1:done"\n`,
    )
    await chmod(join(bin, 'probe-values'), 0o755)
    await chmod(join(bin, 'vault'), 0o755)
    await chmod(join(bin, 'probe'), 0o755)
  })
  after(async () => {
    await home?.cleanup()
    await services?.stop()
  })

  /** The AWS_ variables the probe saw, sorted. */
  const varsAt = async (t: Terminal, tag: string) => {
    await t.waitFor((s) => new RegExp(`^${tag}:done`, 'm').test(s))
    return (await readFile(join(home.dir, `probe-${tag}`), 'utf8')).split('\n').filter(Boolean)
  }

  /** A tmux terminal running `name` with its rc file, at its first prompt (closed if it never shows one). */
  const shellAtPrompt = async (name: keyof typeof shells) => {
    const shell = shells[name]
    const rc = join(home.dir, shell.rc)
    await mkdir(join(rc, '..'), { recursive: true })
    await writeFile(rc, shell.text)
    const env = {
      ...home.env,
      PATH: `${join(home.dir, 'bin')}:${home.env.PATH}`,
      SHELL: requireCommand(name),
      TERM: 'xterm',
    }
    const t = await openTerminal(home.dir, env, `cd "${home.dir}" && exec ${shell.start}`)
    try {
      await t.waitFor((s) => /^\$ ?$/m.test(s))
    } catch (err) {
      t.close()
      throw err
    }
    return t
  }

  /** The same, with `probe-values base` taken. */
  const terminalFor = async (name: keyof typeof shells) => {
    const t = await shellAtPrompt(name)
    t.enter('probe-values base')
    return t
  }

  for (const name of Object.keys(shells)) {
    it(`${name}: prompt marker, switch, deactivate, completion, exec subshell`, async () => {
      const t = await shellAtPrompt(name as keyof typeof shells)
      try {
        t.enter('probe before')
        const before = await varsAt(t, 'before')
        assert.ok(!before.includes('AWS_VAULT'))

        // Activate a role: the prompt shows the profile and the time left.
        t.enter('vault use saguaro')
        const active = await t.waitFor((s) => /^\[aws\|saguaro (1h0m|[1-5]?[0-9]m)\] \$ ?$/m.test(s), 60_000)
        assert.match(active, /^\[aws\|saguaro (1h0m|[1-5]?[0-9]m)\] \$ ?$/m)
        t.enter('probe role')
        assert.deepEqual(
          await varsAt(t, 'role'),
          [...before, 'AWS_ACCESS_KEY_ID', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_DEFAULT_REGION', 'AWS_REGION']
            .concat(['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_VAULT'])
            .sort(),
        )

        // Switch to long-term keys: nothing of saguaro's session is left (the signature error).
        t.enter('vault use dev --no-session')
        await t.waitFor((s) => /^\[aws\|dev\] \$ ?$/m.test(s), 30_000)
        t.enter('probe switched')
        assert.deepEqual(
          await varsAt(t, 'switched'),
          [
            ...before,
            'AWS_ACCESS_KEY_ID',
            'AWS_DEFAULT_REGION',
            'AWS_REGION',
            'AWS_SECRET_ACCESS_KEY',
            'AWS_VAULT',
          ].sort(),
        )

        // Deactivate: exactly the variables there were before, and no marker.
        t.enter('vault deactivate')
        t.enter('probe after')
        assert.deepEqual(await varsAt(t, 'after'), before)
        assert.ok(!/\[aws\|/.test(t.screen().split('\n').slice(-5).join('\n')), t.screen())

        // Completion of a profile name by TAB, from the config file.
        t.enter('clear')
        await t.waitFor((s) => s.trim() === '$')
        t.type('vault exec sag')
        t.press('Tab')
        await t.waitFor((s) => /^\$ vault exec saguaro ?$/m.test(s))
        t.press('C-u')

        // The exec subshell (the same rc file) shows the marker too.
        t.enter('vault exec saguaro')
        await t.waitFor((s) => /^\[aws\|saguaro (1h0m|[1-5]?[0-9]m)\] \$ ?$/m.test(s), 30_000)
        t.enter('exit')
        t.enter('probe done')
        await varsAt(t, 'done')
      } finally {
        t.close()
      }
    })

    it(`${name}: the eval form clears what the previous profile set; vault sso pop<TAB> completes (issue 25)`, async () => {
      const t = await terminalFor(name as keyof typeof shells)
      try {
        const base = (await varsAt(t, 'base')).filter((l) => !/^AWS_(VAULT|REGION|DEFAULT_REGION)=/.test(l))
        // A role with a region and a session token, then long-term keys (--no-session), then a
        // profile with no region: nothing of the previous profile may stay.
        t.enter(evalForm[name as keyof typeof evalForm]('saguaro'))
        t.enter('probe-values role')
        const role = await varsAt(t, 'role')
        assert.ok(role.includes('AWS_REGION=us-east-1') && role.includes('AWS_SESSION_TOKEN'), role.join('\n'))
        t.enter(evalForm[name as keyof typeof evalForm]('--no-session dev'))
        t.enter('probe-values keys')
        assert.deepEqual(
          await varsAt(t, 'keys'),
          [...base, 'AWS_DEFAULT_REGION=eu-west-1', 'AWS_REGION=eu-west-1', 'AWS_VAULT=dev'].sort(),
        )
        t.enter(evalForm[name as keyof typeof evalForm]('bare'))
        t.enter('probe-values bare')
        const bare = await varsAt(t, 'bare')
        assert.deepEqual(
          bare.filter((l) => /^AWS_(VAULT|REGION|DEFAULT_REGION)=/.test(l)),
          ['AWS_VAULT=bare'],
          bare.join('\n'),
        )
        assert.ok(bare.includes('AWS_SESSION_TOKEN'))
        assert.doesNotMatch(t.screen(), /Unknown command|not found/)

        // Topics complete with spaces, as README writes them.
        t.enter('clear')
        await t.waitFor((s) => /^(\[aws\|[^\]]*\] )?\$$/.test(s.trim()))
        t.type('vault sso pop')
        t.press('Tab')
        await t.waitFor((s) => /^(\[aws\|[^\]]*\] )?\$ vault sso populate ?$/m.test(s))
        t.press('C-u')
        t.type('vault ss')
        t.press('Tab')
        await t.waitFor((s) => /^(\[aws\|[^\]]*\] )?\$ vault sso ?$/m.test(s))
        t.press('C-u')
      } finally {
        t.close()
      }
    })
  }
})
