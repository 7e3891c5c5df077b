import { StoreError, UsageError } from '../errors.js'
import type { AwsCredentials } from '../vault/credentials.js'
import { goMarshal, goString, parseJson } from './go-json.js'
import type { SecretStore } from './secret-store.js'
import { isNonCredentialKey } from './session-key.js'
import { StoreIndex } from './store-index.js'

/**
 * Long-term access keys, one item per profile, in aws-vault's format (vault/credentialkeyring.go):
 * key = profile name, data = {"AccessKeyID","SecretAccessKey"}. aws-vault also writes empty
 * SessionToken and ProviderName fields; they are left out to keep items compact (Go fills in "").
 *
 * On the OS keychain, whose listing reads every secret, the store index (store-index.ts) names the
 * profiles: `has` costs no round trip for a profile it names and one targeted read otherwise, and
 * `list` one read of the index. Keys are written before the index names them, and removed before
 * it stops naming them.
 */
export class CredentialStore {
  private readonly index?: StoreIndex

  constructor(private readonly store: SecretStore) {
    this.index = StoreIndex.of(store)
  }

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
    await this.index?.update((view) => {
      if (view.profiles.has(profile)) return false
      view.profiles.add(profile)
    })
  }

  /** Resolves false when there were no keys for the profile. */
  async remove(profile: string): Promise<boolean> {
    const removed = await this.store.remove(profile)
    await this.index?.update((view) => view.profiles.delete(profile))
    return removed
  }

  /** Never asks the file backend for its passphrase (it checks the file is there), like aws-vault. */
  async has(profile: string): Promise<boolean> {
    if (isNonCredentialKey(profile)) return false
    const index = this.index
    if (!index) return this.store.has ? this.store.has(profile) : (await this.store.keys()).includes(profile)
    // A profile the index does not name may still hold keys: aws-vault's (on macOS the two share
    // items), or a `vault add` cut short before its index update. One targeted read tells.
    // (Reading it alongside the index saves ~2 ms when absent but costs ~6 ms when named: the
    // daemon serves one call at a time.)
    const view = await index.view()
    if (view?.profiles.has(profile)) return true
    // Where only vault writes the items (the Secret Service: aws-vault keeps its own collection
    // there), the index is the whole truth: no read to confirm an absence. A `vault add` killed
    // before its index update then reads as "no keys", and running it again mends that.
    if (view && this.store.indexComplete) return false
    const found = await index.exists(profile)
    if (found) {
      // Name it, so the next lookup costs nothing; checked again under the lock against a removal.
      await index.amend(async (view) => {
        if (view.profiles.has(profile) || !(await index.exists(profile))) return false
        view.profiles.add(profile)
      })
    }
    return found
  }

  /** Profiles with stored long-term keys, sorted; sessions and SSO tokens are skipped. */
  async list(): Promise<string[]> {
    const view = await this.index?.view()
    if (view) return [...view.profiles].sort()
    const keys = await this.store.keys()
    await this.index?.adopt(keys)
    return keys.filter((key) => !isNonCredentialKey(key)).sort()
  }
}
