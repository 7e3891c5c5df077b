import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { agentSocketPath, preparePrivateDir, unsafeDirReason } from '../../src/agent/socket-path.js'

describe('agent socket path and its directory', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-agent-dir-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const uid = process.getuid?.() ?? 0

  it('AWS_VAULT_AGENT_SOCK, else XDG_RUNTIME_DIR/vault, else ~/.awsvault/agent; empty turns it off', () => {
    assert.equal(agentSocketPath({ AWS_VAULT_AGENT_SOCK: '/s/a.sock', XDG_RUNTIME_DIR: '/run/u' }, '/h'), '/s/a.sock')
    assert.equal(agentSocketPath({ XDG_RUNTIME_DIR: '/run/u' }, '/h'), '/run/u/vault/agent.sock')
    assert.equal(agentSocketPath({}, '/h'), '/h/.awsvault/agent/agent.sock')
    assert.equal(agentSocketPath({ AWS_VAULT_AGENT_SOCK: '' }, '/h'), undefined)
  })

  it('creates the directory 0700 and accepts it', () => {
    assert.equal(preparePrivateDir(join(dir, 'a', 'agent.sock'), uid), undefined)
  })

  it('refuses a directory others can enter, one owned by another uid, and a symbolic link', async () => {
    const open = join(dir, 'open')
    await mkdir(open)
    await chmod(open, 0o755)
    assert.match(unsafeDirReason(open, uid) ?? '', /can be entered by other users \(mode 755\)/)
    const mine = join(dir, 'mine')
    await mkdir(mine, { mode: 0o700 })
    assert.match(unsafeDirReason(mine, uid + 1) ?? '', /is owned by uid \d+, not by you/)
    const link = join(dir, 'link')
    await symlink(mine, link)
    assert.match(unsafeDirReason(link, uid) ?? '', /symbolic link/)
  })
})
