import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { StoreError, UsageError } from '../../src/errors.js'
import type { Prompts } from '../../src/runtime/prompts.js'
import { createRuntime } from '../../src/runtime/runtime.js'
import { SessionStore } from '../../src/sessions/session-store.js'
import { CredentialStore } from '../../src/stores/credential-store.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import type { SecretStore } from '../../src/stores/secret-store.js'
import { addCredentials } from '../../src/usecases/add.js'

const ID = 'AKIAIOSFODNN7EXAMPLE'
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'

/** Prompts that answer from a list and record what was asked. */
function scripted(answers: Record<string, string>): Prompts & { asked: string[] } {
  const asked: string[] = []
  const answer = async (message: string) => {
    asked.push(message)
    const a = answers[message]
    if (a === undefined) assert.fail(`unexpected question: ${message}`)
    return a
  }
  return { asked, text: answer, secret: answer, confirm: async () => assert.fail('no confirmation wanted') }
}

describe('addCredentials (issue 25)', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-add-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  function setup(store: SecretStore = new MemoryStore(), config = '[default]\nregion = us-east-1\n') {
    const configFile = join(dir, `config-${Math.random()}`)
    let stdout = ''
    let stderr = ''
    const rt = createRuntime(
      { debug: false },
      {
        env: { AWS_CONFIG_FILE: configFile },
        homedir: dir,
        streams: {
          stdout: { write: (s: string) => (stdout += s) },
          stderr: { write: (s: string) => (stderr += s) },
        } as never,
        store: async () => store,
        keys: async () => new CredentialStore(store),
        sessions: async () => new SessionStore(store),
      },
    )
    return { rt, store, configFile, config, out: () => stdout, err: () => stderr }
  }

  it('interactive: a refused key id ends it before the secret is asked for', async () => {
    const t = setup()
    await writeFile(t.configFile, t.config)
    const prompts = scripted({ 'Enter Access Key ID:': 'AKIA bad id' })
    await assert.rejects(
      addCredentials(t.rt, { profile: 'caktus', fromEnv: false, addConfig: true, prompts }),
      (err: unknown) => err instanceof UsageError && /cannot be an access key id/.test(err.message),
    )
    assert.deepEqual(prompts.asked, ['Enter Access Key ID:'])
    assert.equal(await t.store.get('caktus'), null)
  })

  it('interactive: an id AWS never issues is warned about before the secret is asked for, once, and stored', async () => {
    const t = setup()
    await writeFile(t.configFile, t.config)
    const order: string[] = []
    const prompts = scripted({ 'Enter Access Key ID:': 'minio-admin', 'Enter Secret Access Key:': SECRET })
    const secret = prompts.secret
    prompts.secret = async (m) => {
      order.push(`secret asked after ${t.err().split('\n').length - 1} warning line(s)`)
      return secret(m)
    }
    await addCredentials(t.rt, { profile: 'minio', fromEnv: false, addConfig: true, prompts })
    assert.deepEqual(order, ['secret asked after 1 warning line(s)'])
    assert.equal(t.err().match(/not shaped like an AWS key/g)?.length, 1, t.err())
    assert.deepEqual(await new CredentialStore(t.store).get('minio'), {
      accessKeyId: 'minio-admin',
      secretAccessKey: SECRET,
    })
  })

  it('appends [profile NAME] after a blank line', async () => {
    const t = setup()
    await writeFile(t.configFile, t.config)
    const prompts = scripted({ 'Enter Access Key ID:': ID, 'Enter Secret Access Key:': SECRET })
    await addCredentials(t.rt, { profile: 'caktus', fromEnv: false, addConfig: true, prompts })
    assert.equal(await readFile(t.configFile, 'utf8'), `${t.config}\n[profile caktus]\n`)
    assert.equal(t.err(), '')
  })

  it("a store failure names the profile, not the store's step or an internal item key", async () => {
    // As with no D-Bus: every call fails with the keychain's wording for its own step and item.
    const failing = new MemoryStore()
    const down = (key: string) =>
      new StoreError(
        `reading "${key}": the Secret Service keyring is not available (DBus error: no bus)`,
        'unavailable',
        'start a Secret Service',
      )
    failing.get = async (key) => {
      throw down(key)
    }
    failing.keys = async () => {
      throw down('sts.AssumeRole,c2FndWFybw,,1700000000')
    }
    failing.entries = failing.keys as never
    failing.set = async (item) => {
      throw new StoreError(
        `writing "${item.key}": the Secret Service keyring is not available (DBus error: no bus)`,
        'unavailable',
        'start a Secret Service',
      )
    }
    const t = setup(failing)
    await writeFile(t.configFile, t.config)
    const prompts = scripted({ 'Enter Access Key ID:': ID, 'Enter Secret Access Key:': SECRET })
    await assert.rejects(
      addCredentials(t.rt, { profile: 'caktus', fromEnv: false, addConfig: true, prompts }),
      (err: unknown) =>
        err instanceof StoreError &&
        err.message ===
          'cannot store the keys of profile "caktus": the Secret Service keyring is not available (DBus error: no bus)' &&
        err.hint === 'start a Secret Service',
    )
    // The same for the sessions of the old keys, after the keys were stored.
    const sessionsDown = new MemoryStore()
    sessionsDown.keys = failing.keys
    sessionsDown.entries = failing.keys as never
    const u = setup(sessionsDown)
    await writeFile(u.configFile, u.config)
    await assert.rejects(
      addCredentials(u.rt, {
        profile: 'caktus',
        fromEnv: false,
        addConfig: true,
        prompts: scripted({
          'Enter Access Key ID:': ID,
          'Enter Secret Access Key:': SECRET,
        }),
      }),
      (err: unknown) =>
        err instanceof StoreError &&
        /^cannot delete the old sessions of profile "caktus": the Secret Service/.test(err.message) &&
        !err.message.includes('sts.AssumeRole'),
    )
  })
})
