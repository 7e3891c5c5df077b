import { StoreError, UsageError } from '../errors.js'
import type { AwsCredentials } from '../vault/credentials.js'
import { goMarshal, goString, parseJson } from './go-json.js'
import type { SecretStore } from './secret-store.js'
import { isNonCredentialKey } from './session-key.js'

/**
 * Long-term access keys, one item per profile, in aws-vault's format (vault/credentialkeyring.go):
 * key = profile name, data = {"AccessKeyID","SecretAccessKey"}. aws-vault also writes empty
 * SessionToken and ProviderName fields; they are left out to keep items compact (Go fills in "").
 */
export class CredentialStore {
  constructor(private readonly store: SecretStore) {}

  async get(profile: string): Promise<AwsCredentials | null> {
    const item = await this.store.get(profile)
    if (!item) return null
    const obj = parseJson(item.data)
    const accessKeyId = goString(obj, 'AccessKeyID')
    const secretAccessKey = goString(obj, 'SecretAccessKey')
    if (!accessKeyId || !secretAccessKey) {
      throw new StoreError(
        `the stored keys for profile "${profile}" in the ${this.store.name} backend cannot be read`,
        'corrupt',
        `store them again: vault add ${profile}`,
      )
    }
    return { accessKeyId, secretAccessKey }
  }

  async set(profile: string, creds: AwsCredentials): Promise<void> {
    if (isNonCredentialKey(profile)) {
      throw new UsageError(`"${profile}" cannot be a profile name: it reads as a cached session item`)
    }
    await this.store.set({
      key: profile,
      data: goMarshal({ AccessKeyID: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey }),
      label: `aws-vault (${profile})`,
    })
  }

  /** Resolves false when there were no keys for the profile. */
  remove(profile: string): Promise<boolean> {
    return this.store.remove(profile)
  }

  /** From the key listing alone, like aws-vault, so the file backend does not ask for its passphrase. */
  async has(profile: string): Promise<boolean> {
    return (await this.list()).includes(profile)
  }

  /** Profiles with stored long-term keys, sorted; sessions and SSO tokens are skipped. */
  async list(): Promise<string[]> {
    return (await this.store.keys()).filter((key) => !isNonCredentialKey(key)).sort()
  }
}
