import { type ExportFormat, formatCredentials } from '../output/format.js'
import type { Runtime } from '../runtime/runtime.js'
import { profileOrEnv } from './default-profile.js'
import { type CredentialRequest, getCredentials, refuseNested } from './get-credentials.js'

export interface ExportRequest extends Omit<CredentialRequest, 'profile'> {
  /** Omitted: AWS_PROFILE. */
  profile?: string
  format: ExportFormat
}

/** `vault export`: prints the profile's credentials in the chosen format; nothing else on stdout. */
export async function exportProfile(rt: Runtime, req: ExportRequest): Promise<void> {
  refuseNested(rt, 'export')
  const { credentials, profile } = await getCredentials(rt, {
    ...req,
    profile: profileOrEnv(rt, req.profile, 'export'),
    forCredentialProcess: req.format === 'json',
  })
  rt.streams.stdout.write(formatCredentials(req.format, credentials, { profile: profile.name, region: profile.region }))
}
