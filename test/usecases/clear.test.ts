/**
 * `vault clear` over fakes, each test building only the ports the use case declares (issue 27):
 * clearAll takes three (sessions, store, stdout), a profile adds what tells whether it exists.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { NotFoundError } from '../../src/errors.js'
import { silentLogger } from '../../src/runtime/types.js'
import { OidcTokenStore } from '../../src/sessions/oidc-token-store.js'
import { SessionStore } from '../../src/sessions/session-store.js'
import { MemoryStore } from '../../src/stores/memory-store.js'
import { type ClearAllDeps, type ClearDeps, clearAll, clearSessions } from '../../src/usecases/clear.js'
import { bufferedStreams, longTermKeys, storePorts } from '../fakes/fakes.js'

const now = new Date('2026-12-07T09:00:00Z')
const later = new Date('2026-12-07T17:00:00Z')
const startUrl = 'https://example.awsapps.com/start'

/** A store holding one session for each of `profiles`, and one OIDC token. */
async function filled(profiles: string[]): Promise<MemoryStore> {
  const store = new MemoryStore()
  const sessions = new SessionStore(store)
  for (const profile of profiles)
    await sessions.set(
      { type: 'sts.GetSessionToken', profile, mfaSerial: '' },
      { ...longTermKeys, sessionToken: 'token', expiration: later },
      now,
    )
  await new OidcTokenStore(store).set(startUrl, { accessToken: 'sso-token', expiresAt: later })
  return store
}

describe('clearSessions (issue 27: each use case takes only what it uses)', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-clear-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('clearAll: every session and OIDC token, with three ports and nothing else', async () => {
    const { store, sessions } = storePorts(await filled(['caktus', 'saguaro']))
    const { streams, out } = bufferedStreams()
    const rt: ClearAllDeps = { store, sessions, streams }
    assert.equal(await clearAll(rt), 3)
    assert.equal(out(), 'Cleared 3 sessions.\n')
    assert.deepEqual(await (await sessions()).list(), [])
  })

  it('clearAll --sso: the OIDC tokens alone', async () => {
    const { store, sessions } = storePorts(await filled(['caktus']))
    const { streams, out } = bufferedStreams()
    assert.equal(await clearAll({ store, sessions, streams }, { ssoOnly: true }), 1)
    assert.equal(out(), 'Cleared 1 SSO token.\n')
    assert.equal((await (await sessions()).list()).length, 1)
  })

  it('a profile: its sessions only, after its config section says it exists; an unknown one is an error', async () => {
    const config = join(dir, 'config')
    await writeFile(config, '[profile caktus]\nregion = us-east-1\n')
    const ports = storePorts(await filled(['caktus', 'saguaro']))
    const { streams, out } = bufferedStreams()
    const rt: ClearDeps = { ...ports, streams, env: { AWS_CONFIG_FILE: config }, homedir: dir, log: silentLogger }
    assert.equal(await clearSessions(rt, { profile: 'caktus' }), 1)
    assert.equal(out(), 'Cleared 1 session.\n')
    assert.deepEqual(
      (await (await ports.sessions()).list()).map((s) => s.profile),
      ['saguaro'],
    )
    await assert.rejects(clearSessions(rt, { profile: 'nobody' }), NotFoundError)
  })
})
