import { join } from 'node:path'
import { fileCaps, readBoundedText } from '../fs/read-file.js'

/**
 * The AWS CLI v2's token cache (botocore SSOTokenLoader): ~/.aws/sso/cache/<sha1>.json, where the
 * hash is of the sso-session name, or of the start URL for a legacy profile. vault only reads it,
 * never writes a token there (it would be plaintext).
 */
export async function readAwsCliToken(
  dir: string,
  session: { name?: string; startUrl: string },
): Promise<{ accessToken: string; expiresAt: Date } | null> {
  // Loaded here: node:crypto costs the cache-hit fast path, which bundles this module, a few ms.
  const { createHash } = await import('node:crypto')
  const file = join(
    dir,
    `${createHash('sha1')
      .update(session.name ?? session.startUrl)
      .digest('hex')}.json`,
  )
  try {
    const data = JSON.parse(await readBoundedText(file, { maxBytes: fileCaps.item })) as Record<string, unknown>
    const expiresAt = Date.parse(String(data.expiresAt))
    if (data.startUrl !== session.startUrl || typeof data.accessToken !== 'string' || Number.isNaN(expiresAt))
      return null
    return { accessToken: data.accessToken, expiresAt: new Date(expiresAt) }
  } catch {
    return null
  }
}
