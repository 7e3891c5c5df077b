import { parentRequester } from '../audit/requester.js'
import { type ExportFormat, formatCredentials } from '../output/format.js'
import { profileOrEnv } from './default-profile.js'
import { type CredentialRequest, type GetCredentialsDeps, getCredentials } from './get-credentials.js'
import type { Ports } from './ports.js'

export interface ExportRequest extends Omit<CredentialRequest, 'profile'> {
  /** Omitted: AWS_PROFILE. */
  profile?: string
  format: ExportFormat
}

export type ExportDeps = GetCredentialsDeps & Pick<Ports, 'handOuts' | 'stdoutIsTerminal'>

/** `vault export`: prints the profile's credentials in the chosen format; nothing else on stdout. */
export async function exportProfile(rt: ExportDeps, req: ExportRequest): Promise<void> {
  // No nesting guard: in a shell activated with `eval "$(vault export …)"` another export replaces
  // the active profile. There, AWS_REGION was set by vault for the old profile, not by the user,
  // so it must not override the new profile's region.
  const activated = rt.env.AWS_VAULT ? withoutVariables(rt, ['AWS_REGION', 'AWS_DEFAULT_REGION']) : rt
  const got = await getCredentials(activated, {
    ...req,
    profile: profileOrEnv(activated, req.profile, 'export'),
    forCredentialProcess: req.format === 'json',
  })
  const { credentials, profile } = got
  rt.streams.stdout.write(formatCredentials(req.format, credentials, { profile: profile.name, region: profile.region }))
  // The parent is who reads the output: the SDK running credential_process, or the shell's eval.
  const kind = req.format === 'json' ? 'credential_process' : 'export'
  await rt.handOuts.record({ ...got, kind, requester: parentRequester() })
  if (req.format === 'env' && rt.stdoutIsTerminal === false) {
    // `eval "$(vault export dev)"` sets shell variables that no child process sees.
    rt.streams.stderr.write(
      `vault: note: --format env prints plain assignments; to set them in this shell run: eval "$(vault export --format export-env ${profile.name})"\n`,
    )
  }
}

/** The same runtime, seeing an environment without `names` (getters such as hasTerminal kept). */
function withoutVariables<T extends Pick<Ports, 'env'>>(rt: T, names: string[]): T {
  const env = Object.fromEntries(Object.entries(rt.env).filter(([k]) => !names.includes(k)))
  return Object.create(rt, { env: { value: env } }) as T
}
