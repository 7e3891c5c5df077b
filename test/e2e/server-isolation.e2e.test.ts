/**
 * issue 15: the local credential servers serve only their owner, and a child never gets vault's
 * own secrets. "Another local user" is real: curl run under a second uid with runuser.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { freshHome, type Home, mfaRolesConfig, requireCommand, run, useServices } from './harness.js'

const config = mfaRolesConfig([{ name: 'role1', account: '111111111111', region: 'eu-west-1' }])
const fileBackend = { AWS_VAULT_BACKEND: 'file', AWS_VAULT_FILE_PASSPHRASE: 'e2e passphrase' }

/** A second local user to connect as: nobody, or a throwaway one. Needs root, as in CI. */
function otherUser(): string {
  if (process.getuid?.() !== 0) {
    throw new Error('e2e: testing another local user needs root (runuser); run the suite as root, as CI does')
  }
  requireCommand('runuser')
  requireCommand('curl')
  for (const name of ['nobody', 'vault-e2e-other']) {
    if (spawnSync('id', ['-u', name]).status === 0) return name
  }
  const added = spawnSync('useradd', ['--system', '--no-create-home', 'vault-e2e-other'], { encoding: 'utf8' })
  if (added.status !== 0) throw new Error(`e2e: useradd failed: ${added.stderr}`)
  return 'vault-e2e-other'
}

/** curl's answers, one `{ body, status }` per request: each request prints its body, then its status. */
function answers(stdout: string): Array<{ body: string; status: number }> {
  const lines = stdout.trim().split('\n')
  const out = []
  for (let i = 0; i + 1 < lines.length; i += 2) out.push({ body: lines[i] as string, status: Number(lines[i + 1]) })
  return out
}

const curl = `curl -s --max-time 10 -w '\\n%{http_code}\\n'`

describe('credential servers serve only their owner (issue 15)', () => {
  const services = useServices()
  let home: Home
  let user: string
  beforeEach(async () => {
    user = otherUser()
    home = await freshHome(services(), config)
  })
  afterEach(async () => {
    await home?.cleanup()
  })

  it('--ecs-server: another user is refused even with the token; the owner gets credentials', async () => {
    const script = `
U="$AWS_CONTAINER_CREDENTIALS_FULL_URI"; T="Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN"
runuser -u ${user} -- ${curl} -H "$T" "$U"
runuser -u ${user} -- ${curl} -H "$T" "\${U}role-arn/arn:aws:iam::222222222222:role/Reader"
${curl} -H "$T" "$U"`
    const res = await run(['exec', '--ecs-server', 'role1', '-t', '123456', '--', 'sh', '-c', script], {
      env: home.env,
      timeoutMs: 60_000,
    })
    assert.equal(res.code, 0, res.stderr)
    const [stranger, strangerRole, owner] = answers(res.stdout)
    for (const refused of [stranger, strangerRole]) {
      assert.equal(refused?.status, 403)
      assert.match(
        JSON.parse(refused?.body ?? '').Message,
        /^this credential server serves only the user who started it \(uid 0\), not uid \d+$/,
      )
    }
    assert.equal(owner?.status, 200)
    const creds = JSON.parse(owner?.body ?? '')
    assert.ok(creds.AccessKeyId && creds.SecretAccessKey && creds.Token)
    assert.ok(!stranger?.body.includes(creds.SecretAccessKey) && !strangerRole?.body.includes(creds.SecretAccessKey))
    // Rate-limited (issue 28): the first refusal is shown, the second counted and said at the end.
    assert.equal(
      (res.stderr.match(/vault: ecs server: refused GET \/\S*: this credential server serves only/g) ?? []).length,
      1,
    )
    assert.match(res.stderr, /^vault: ecs server: 1 more request was refused$/m)
    // The refusal came before any role was assumed for the stranger.
    assert.equal(await services().recorder.count('AssumeRole'), 1)
  })

  it('100 requests from another user print one warning and one count, not 100 lines (issue 28)', async () => {
    const script = `
U="$AWS_CONTAINER_CREDENTIALS_FULL_URI"; T="Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN"
runuser -u ${user} -- sh -c "for i in \\$(seq 100); do curl -s -o /dev/null --max-time 10 -H '$T' '$U'; done"
${curl} -H "$T" "$U"`
    const res = await run(['exec', '--ecs-server', 'role1', '-t', '123456', '--', 'sh', '-c', script], {
      env: home.env,
      timeoutMs: 120_000,
    })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(answers(res.stdout)[0]?.status, 200, 'the owner is still served')
    const refusedLines = res.stderr.split('\n').filter((l) => l.includes('refused'))
    assert.equal(refusedLines.length, 2, res.stderr)
    assert.match(refusedLines[0] ?? '', /^vault: ecs server: refused GET \/\S*: this credential server serves only/)
    assert.equal(refusedLines[1], 'vault: ecs server: 99 more requests were refused')
  })

  it('--ec2-server: another user gets no token and no credentials; the owner does', async () => {
    const script = `
E="$AWS_EC2_METADATA_SERVICE_ENDPOINT"; P=latest/meta-data/iam/security-credentials/role1
runuser -u ${user} -- ${curl} "$E$P"
runuser -u ${user} -- ${curl} -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "\${E}latest/api/token"
runuser -u ${user} -- ${curl} "\${E}latest/meta-data/iam/security-credentials/"
${curl} "$E$P"`
    const res = await run(['exec', '--ec2-server', 'role1', '-t', '123456', '--', 'sh', '-c', script], {
      env: home.env,
      timeoutMs: 60_000,
    })
    assert.equal(res.code, 0, res.stderr)
    const [creds, token, listing, owner] = answers(res.stdout)
    for (const refused of [creds, token, listing]) {
      assert.equal(refused?.status, 403)
      assert.match(JSON.parse(refused?.body ?? '').Message, /serves only the user who started it/)
    }
    assert.equal(owner?.status, 200)
    const served = JSON.parse(owner?.body ?? '')
    assert.equal(served.Code, 'Success')
    assert.ok(served.SecretAccessKey && !creds?.body.includes(served.SecretAccessKey))
  })
})

describe('the child never gets vault secrets (issue 15)', () => {
  const services = useServices()
  let home: Home
  beforeEach(async () => {
    home = await freshHome(services(), config, 'caktus', fileBackend)
  })
  afterEach(async () => {
    await home?.cleanup()
  })

  /** What the child received, exactly: node prints its whole environment. */
  const childEnv = async (flags: string[]) => {
    const res = await run(
      [
        'exec',
        ...flags,
        'role1',
        '-t',
        '123456',
        '--',
        process.execPath,
        '-e',
        'process.stdout.write(JSON.stringify(process.env))',
      ],
      { env: home.env, timeoutMs: 60_000 },
    )
    assert.equal(res.code, 0, res.stderr)
    return JSON.parse(res.stdout) as Record<string, string>
  }

  /** home.env as the child should see it: scrubbed of the passphrase and (for EC2) the IMDS switch-off. */
  const inherited = (drop: string[] = []) => {
    const env: Record<string, string> = { ...home.env }
    for (const k of ['AWS_VAULT_FILE_PASSPHRASE', ...drop]) delete env[k]
    return { ...env, AWS_VAULT: 'role1', AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' }
  }

  it('plain exec: the credentials and nothing of vault', async () => {
    const env = await childEnv([])
    assert.equal(env.AWS_VAULT_BACKEND, 'file', 'non-secret settings pass through')
    const expected = {
      ...inherited(),
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: env.AWS_SESSION_TOKEN,
      AWS_CREDENTIAL_EXPIRATION: env.AWS_CREDENTIAL_EXPIRATION,
    }
    assert.deepEqual(env, expected)
    assert.match(env.AWS_ACCESS_KEY_ID ?? '', /^ASIA/)
    assert.match(env.AWS_CREDENTIAL_EXPIRATION ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('--ecs-server: the server address and token only', async () => {
    const env = await childEnv(['--ecs-server'])
    assert.deepEqual(env, {
      ...inherited(),
      AWS_CONTAINER_CREDENTIALS_FULL_URI: env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: env.AWS_CONTAINER_AUTHORIZATION_TOKEN,
    })
    assert.match(env.AWS_CONTAINER_CREDENTIALS_FULL_URI ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/)
  })

  it('--ec2-server: the server address only', async () => {
    const env = await childEnv(['--ec2-server'])
    assert.deepEqual(env, {
      ...inherited(['AWS_EC2_METADATA_DISABLED']),
      AWS_EC2_METADATA_SERVICE_ENDPOINT: env.AWS_EC2_METADATA_SERVICE_ENDPOINT,
    })
    assert.match(env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/)
  })
})
