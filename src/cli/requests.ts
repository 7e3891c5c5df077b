/**
 * What each command's parsed flags and arguments mean, as use-case requests. The oclif commands
 * and the cache-hit fast path both build their requests here from the same parsed values, so a
 * flag means the same on both paths. No oclif import: the fast path bundles this file.
 */
import { parseDuration } from '../config/duration.js'
import { UsageError } from '../errors.js'
import type { ExportFormat } from '../output/format.js'
import type { RuntimeOptions } from '../stores/store-settings.js'
import type { ClearRequest } from '../usecases/clear.js'
import type { ExecRequest } from '../usecases/exec.js'
import type { CredentialRequest } from '../usecases/get-credentials.js'
import type { ListMode } from '../usecases/list.js'

/** Parsed flag values, as oclif and src/cli/command-line.ts give them. */
type Flags = Record<string, unknown>

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** The global flags: how the composition root is built. */
export function runtimeOptions(flags: Flags): RuntimeOptions {
  return {
    backend: text(flags.backend),
    debug: flags.debug === true,
    prompt: text(flags.prompt),
    store: {
      fileDir: text(flags['file-dir']),
      keychainName: text(flags.keychain),
      secretServiceCollection: text(flags['secret-service-collection']),
      passDir: text(flags['pass-dir']),
      passCmd: text(flags['pass-cmd']),
      passPrefix: text(flags['pass-prefix']),
    },
  }
}

/** --duration's value in seconds; the flag's own parse() calls this too, so both paths say the same. */
export function durationFlag(input: string): number {
  try {
    return parseDuration(input)
  } catch {
    throw new UsageError(`--duration "${input}" is not a duration: use 1h, 90m, 1h30m or seconds`)
  }
}

/** exec, export and login: how the credentials are made. `profile` omitted: AWS_PROFILE names it. */
export function credentialRequest<P extends string | undefined>(
  profile: P,
  flags: Flags,
): Omit<CredentialRequest, 'profile'> & { profile: P } {
  const duration = text(flags.duration)
  return {
    profile,
    region: text(flags.region),
    duration: duration === undefined ? undefined : durationFlag(duration),
    mfaToken: text(flags['mfa-token']),
    noSession: flags['no-session'] === true,
    // --stdout is aws-vault's name for it on exec and export (login's --stdout implies it too).
    noBrowser: flags['no-browser'] === true || flags.stdout === true,
  }
}

export function exportRequest(profile: string | undefined, flags: Flags) {
  return { ...credentialRequest(profile, flags), format: (text(flags.format) ?? 'env') as ExportFormat }
}

/** exec: `command` is the raw command line after vault's own arguments (see splitPassthrough). */
export function execRequest(profile: string | undefined, flags: Flags, command: string[]): ExecRequest {
  return {
    ...credentialRequest(profile, flags),
    command: command[0],
    args: command.slice(1),
    json: flags.json === true,
    lazy: flags.lazy === true,
    server: flags['ecs-server'] === true ? 'ecs' : flags['ec2-server'] === true ? 'ec2' : undefined,
    profileEnv: typeof flags['profile-env'] === 'boolean' ? flags['profile-env'] : undefined,
  }
}

/** clear: every session, or one profile's; --sso, only the SSO OIDC tokens. */
export function clearRequest(profile: string | undefined, flags: Flags): ClearRequest {
  return { profile, ssoOnly: flags.sso === true }
}

/** oclif's --json (enableJsonFlag): the command's data as JSON instead of text. */
export function jsonOutput(flags: Flags): boolean {
  return flags.json === true
}

export function listMode(flags: Flags): ListMode | 'json' {
  if (jsonOutput(flags)) return 'json'
  return flags.profiles === true
    ? 'profiles'
    : flags.credentials === true
      ? 'credentials'
      : flags.sessions === true
        ? 'sessions'
        : 'table'
}
