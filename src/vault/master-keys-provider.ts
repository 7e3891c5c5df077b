import { NotFoundError } from '../errors.js'
import type { ObtainTrace } from './hand-out.js'
import type { CredentialProvider, LongTermKeys } from './provider.js'

/** The long-term keys stored for `profile`. `requestedBy` names the profile the user asked for. */
export function masterKeysProvider(
  keys: LongTermKeys,
  profile: string,
  requestedBy: string,
  trace?: ObtainTrace,
): CredentialProvider {
  return {
    description: `long-term keys of ${profile}`,
    async retrieve() {
      const creds = await keys.get(profile)
      if (!creds) {
        const whose =
          profile === requestedBy ? `profile "${profile}"` : `profile "${requestedBy}": source profile "${profile}"`
        throw new NotFoundError(`${whose} has no credentials in the keychain`, `run: vault add ${profile}`)
      }
      trace?.({ kind: 'keys', profile })
      return creds
    },
  }
}
