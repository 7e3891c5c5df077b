import type { AwsCredentials } from '../aws/credentials.js'
import { StoreError } from '../errors.js'
import { printable } from '../output/printable.js'

/** The part of a key store a copy needs. */
export interface KeyWriter {
  get(profile: string): Promise<AwsCredentials | null>
  set(profile: string, creds: AwsCredentials): Promise<void>
}

/** Where the copy went and what the user does after a mismatch, for the message. */
export interface CopyPlace {
  /** "the backend", "vault's backend", "the file backend". */
  backend: string
  /** What the failure left as it was, when that is worth saying ("the source still holds them"). */
  untouched?: string
  /** The command to run again once the backend is checked. */
  rerun: string
}

/** Same access key id and secret: a session token or an expiration does not make keys differ. */
export function sameKeys(a: AwsCredentials, b: AwsCredentials): boolean {
  return a.accessKeyId === b.accessKeyId && a.secretAccessKey === b.secretAccessKey
}

/**
 * Writes a profile's long-term keys (the id and secret only), reads them back and compares: only
 * keys the store returns as written count as copied, so `import` and `migrate-backend` never take
 * keys out of their source on a write the store lost or mangled. Throws a StoreError ('corrupt').
 */
export async function writeVerified(
  store: KeyWriter,
  profile: string,
  creds: AwsCredentials,
  place: CopyPlace,
): Promise<void> {
  const wanted = { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }
  await store.set(profile, wanted)
  const back = await store.get(profile)
  if (back && sameKeys(back, wanted)) return
  throw new StoreError(
    `profile "${printable(profile)}": the keys read back from ${place.backend} differ from those written${place.untouched ? `; ${place.untouched}` : ''}`,
    'corrupt',
    `check ${place.backend}, then run ${place.rerun} again`,
  )
}
