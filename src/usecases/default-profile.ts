import { UsageError } from '../errors.js'
import type { Ports } from './ports.js'

/**
 * The profile a command works on: the argument, else AWS_PROFILE, as ByteNess aws-vault's exec,
 * export and login take it (cli/exec.go: `Default(os.Getenv("AWS_PROFILE"))`). Where aws-vault
 * then opens an interactive profile picker, vault asks for the argument.
 */
export function profileOrEnv(rt: Pick<Ports, 'env'>, profile: string | undefined, command: string): string {
  if (profile) return profile
  const fromEnv = rt.env.AWS_PROFILE
  if (fromEnv) return fromEnv
  throw new UsageError(
    `vault ${command} needs a profile, and AWS_PROFILE is not set`,
    `name one: vault ${command} PROFILE${command === 'exec' ? ' -- CMD' : ''}`,
  )
}
