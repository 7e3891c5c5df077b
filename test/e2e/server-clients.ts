/**
 * Client programs the credential-server e2e tests run inside `vault exec --ecs-server|--ec2-server`,
 * and the checks on what they report. Each long-running client makes calls against moto for
 * LOOP_SECONDS (longer, up to three times that, until it has 10 samples) and prints, for every call,
 * when it was made and which credentials the SDK held.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * The refresh-across-expiry runs. AWS's shortest role is 15 min, so the strict STS issues roles
 * that live 10 s, and the servers refresh them at half-life: a client's call has at least 5 s to
 * reach STS with the key it signed with. With 6 s roles it had 3 s, which a call by the JS SDK
 * outlasted with two whole suites running (load 20): ExpiredToken. A 21 s loop still sees at
 * least 3 sets.
 */
export const refreshRun = { roleSeconds: 10, env: { LOOP_SECONDS: '21' } }

export interface Sample {
  /** Epoch seconds of the call. */
  t: number
  key: string
  /** Epoch seconds at which the SDK's credentials expire. */
  exp: number
  arn: string
}

/**
 * For the boto3 scripts of the server tests, first: botocore gives the container endpoint 2 s per
 * attempt. Roles there live 10 s, so on a loaded machine (load 40) a refresh at half-life can outlast
 * them and a request waits for it, and with two whole suites running (load 25) an agent's endpoint
 * missed three 2 s attempts: these tests are about refresh and access, not latency, so each attempt
 * may take 30 s.
 */
export const botoPatient = `
import botocore.utils
botocore.utils.ContainerMetadataFetcher.TIMEOUT_SECONDS = 30
`

/** boto3 with one Session for its whole life: botocore refreshes through the server on its own. */
export const boto3Loop = `${botoPatient}
import boto3, json, os, time
session = boto3.Session()
sts = session.client('sts')
out = []
end = time.time() + float(os.environ.get('LOOP_SECONDS', '12'))
# On a busy machine each call is slow: go on past LOOP_SECONDS until there are 10 samples, bounded.
hard_end = end + 2 * float(os.environ.get('LOOP_SECONDS', '12'))
while time.time() < hard_end and (time.time() < end or len(out) < 10):
    arn = sts.get_caller_identity()['Arn']
    creds = session.get_credentials()
    key = creds.get_frozen_credentials().access_key
    out.append({'t': time.time(), 'key': key, 'exp': creds._expiry_time.timestamp(), 'arn': arn})
    time.sleep(0.4)
print(json.dumps(out))
`

/** The AWS SDK for JS v3 with one client for its whole life and the default credential chain. */
export const sdkLoop = `
const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts')
const { defaultProvider } = await import('@aws-sdk/credential-provider-node')
// The SDK's default chain, as it finds the server on its own; the SDK gives the container and
// instance endpoints 1 s and no retry, which a loaded machine (load 30) misses while the server
// refreshes: this test is about refresh, not latency, so 30 s and 3 tries.
const client = new STSClient({ credentials: defaultProvider({ timeout: 30000, maxRetries: 3 }) })
const out = []
const end = Date.now() + Number(process.env.LOOP_SECONDS ?? '12') * 1000
// On a busy machine each call is slow: go on past LOOP_SECONDS until there are 10 samples, bounded.
const hardEnd = end + 2 * Number(process.env.LOOP_SECONDS ?? '12') * 1000
while (Date.now() < hardEnd && (Date.now() < end || out.length < 10)) {
  const { Arn } = await client.send(new GetCallerIdentityCommand({}))
  const c = await client.config.credentials()
  out.push({ t: Date.now() / 1000, key: c.accessKeyId, exp: c.expiration.getTime() / 1000, arn: Arn })
  await new Promise((r) => setTimeout(r, 400))
}
console.log(JSON.stringify(out))
`

/**
 * One process, refreshed across expiry: every call succeeded as `arn` (or as one identity), with credentials the SDK
 * held unexpired, the process outlived the first credentials it got, and it saw at least
 * `minKeys` different ones.
 */
export function assertRefreshedAcrossExpiry(stdout: string, arn: string | undefined, minKeys = 3): Sample[] {
  const samples = JSON.parse(stdout.trim().split('\n').at(-1) as string) as Sample[]
  assert.ok(samples.length >= 10, `only ${samples.length} calls`)
  for (const s of samples) {
    assert.equal(s.arn, arn ?? samples[0]?.arn)
    assert.ok(s.exp > s.t, `a call at ${s.t} held credentials that expired at ${s.exp}`)
  }
  const first = samples[0] as Sample
  const last = samples.at(-1) as Sample
  assert.ok(last.t > first.exp + 1, 'the process did not outlive its first credentials')
  // moto hands out the same key for every GetSessionToken: a new expiry tells those apart.
  const keys = [...new Set(samples.map((s) => `${s.key} until ${Math.floor(s.exp)}`))]
  assert.ok(keys.length >= minKeys, `only ${keys.length} distinct credentials: ${keys.join(', ')}`)
  return samples
}

/** Writes `text` to an executable script in `dir`, for mfa_process or a fake dialog program. */
export async function script(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, `#!/bin/sh\n${text}\n`, { mode: 0o755 })
  return path
}
