/**
 * moto's IAM, called directly over HTTP, for what a test sets up or reads there (users, their
 * access keys). moto checks no signature, only the service in the credential scope, and acts as
 * its default account (123456789012), as the AWS CLI with an unknown administrator key does. A call
 * here costs no process; `aws iam …` cost ~1.5 CPU-s of Python start-up each (issue 27). Tests
 * still run the real AWS CLI where it consumes what vault hands out.
 */
import assert from 'node:assert/strict'
import type { Services } from './harness.js'

export function iam(services: Services, action: string, params: Record<string, string>): Promise<string> {
  return iamAt(services.motoUrl, action, params)
}

/** The same, on the moto at `url` (a pooled one the test claimed itself, say). */
export async function iamAt(url: string, action: string, params: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAADMIN00000000000/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }),
    // moto took over 30 s to start on a loaded machine; a call is far less, and still bounded.
    signal: AbortSignal.timeout(60_000),
  })
  const text = await res.text()
  assert.ok(res.ok, `${action}: ${text}`)
  return text
}

/** The user's access keys, in IAM's order. */
export async function iamKeys(services: Services, user: string): Promise<Array<{ id: string; status: string }>> {
  const xml = await iam(services, 'ListAccessKeys', { UserName: user })
  return [...xml.matchAll(/<member>([\s\S]*?)<\/member>/g)].map(([, m]) => ({
    id: /<AccessKeyId>(\w+)<\/AccessKeyId>/.exec(m)?.[1] ?? '',
    status: /<Status>(\w+)<\/Status>/.exec(m)?.[1] ?? '',
  }))
}

export interface AccessKey {
  AccessKeyId: string
  SecretAccessKey: string
}

/** A new access key of `user`, as CreateAccessKey returns it. */
export async function createAccessKey(services: Services, user: string): Promise<AccessKey> {
  const xml = await iam(services, 'CreateAccessKey', { UserName: user })
  const key = {
    AccessKeyId: /<AccessKeyId>(\w+)<\/AccessKeyId>/.exec(xml)?.[1] ?? '',
    SecretAccessKey: /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(xml)?.[1] ?? '',
  }
  assert.ok(key.AccessKeyId && key.SecretAccessKey, `CreateAccessKey: ${xml}`)
  return key
}

/** A new IAM user with one access key. */
export async function createUserWithKey(services: Services, user: string): Promise<AccessKey> {
  await iam(services, 'CreateUser', { UserName: user })
  return createAccessKey(services, user)
}
