import type { AwsCredentials } from '../aws/credentials.js'
import { isVaultError, LockError, StoreError, type VaultError } from '../errors.js'
import { checkEntry } from './entry-gate.js'
import { goMarshal, goString, parseJson } from './go-json.js'
import type { SecretItem, SecretStore } from './secret-store.js'
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

  /**
   * Store keys, and name them in the index. Succeeds only when both are durable: when the index
   * cannot be updated (lock busy, ~/.awsvault unwritable) the item is put back as it was and the
   * error says what failed, so `vault add` never reports keys that lookups cannot see (issue 15).
   */
  async set(profile: string, creds: AwsCredentials): Promise<void> {
    // Callers ask the gate first, to skip, warn or ask again; this is the backstop for any other.
    checkEntry(profile, creds)
    const previous = this.index ? await this.store.get(profile) : null
    await this.store.set({
      key: profile,
      data: goMarshal({ AccessKeyID: creds.accessKeyId, SecretAccessKey: creds.secretAccessKey }),
      label: `aws-vault (${profile})`,
    })
    if (!this.index) return
    try {
      await this.index.update(
        (view) => {
          if (view.profiles.has(profile)) return false
          view.profiles.add(profile)
        },
        undefined,
        { strict: true },
      )
    } catch (err) {
      throw await this.rollBack(profile, previous, err)
    }
  }

  /** Put the item back as it was before a set whose index update failed; the error to throw. */
  private async rollBack(profile: string, previous: SecretItem | null, err: unknown): Promise<VaultError> {
    const why = isVaultError(err)
      ? err
      : new StoreError((err as Error).message, 'unavailable', undefined, { cause: err })
    try {
      if (previous) await this.store.set(previous)
      else await this.store.remove(profile)
    } catch (undo) {
      return new StoreError(
        `stored the keys for profile "${profile}" but could not name them in the store index (${why.message}), and could not take them back out (${(undo as Error).message})`,
        'unavailable',
        why.hint,
        { cause: err },
      )
    }
    const kept = previous ? 'the keys stored before are kept' : 'nothing stored'
    const message = `keys for profile "${profile}" not stored (${kept}): ${why.message}`
    if (why instanceof LockError) return new LockError(message, why.hint, { cause: err })
    return new StoreError(message, why instanceof StoreError ? why.reason : 'unavailable', why.hint, { cause: err })
  }

  /** Resolves false when there were no keys for the profile. */
  async remove(profile: string): Promise<boolean> {
    const removed = await this.store.remove(profile)
    await this.index?.update((view) => view.profiles.delete(profile))
    return removed
  }

  /**
   * Never asks the file backend for its passphrase (it checks the file is there), like aws-vault.
   * With `confirm`, an absence the index reports is checked with one targeted read, and a key
   * found that way is named in the index: callers pass it before they say "no credentials", so an
   * index that missed a write (a `vault add` killed between its keychain write and its index
   * update, or an older vault's failed update) never hides a key (issue 15).
   */
  async has(profile: string, options: { confirm?: boolean } = {}): Promise<boolean> {
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
    // there), the index answers an absence without a read: the chain asks about every profile
    // it walks (a role's own name too), and a cache hit must not pay a read for each. Callers
    // about to report missing keys pass `confirm`.
    if (view && this.store.indexComplete && !options.confirm) return false
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
    const index = this.index
    const view = await index?.view()
    if (index && view) {
      // A `vault remove` killed between its keychain delete and its index update leaves a name with
      // no key (issue 15): one targeted read per name (listing is no hot path) keeps `vault list`
      // agreeing with a lookup, and a name with no key leaves the index, checked again under the lock.
      const named = [...view.profiles].sort()
      const present = await Promise.all(named.map((profile) => index.exists(profile)))
      const gone = named.filter((_, i) => !present[i])
      if (gone.length > 0) {
        await index.amend(async (v) => {
          let changed = false
          for (const profile of gone) {
            if (v.profiles.has(profile) && !(await index.exists(profile))) changed = v.profiles.delete(profile)
          }
          return changed
        })
      }
      return named.filter((_, i) => present[i])
    }
    const keys = await this.store.keys()
    await this.index?.adopt(keys)
    return keys.filter((key) => !isNonCredentialKey(key)).sort()
  }
}
