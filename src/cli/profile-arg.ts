import { Args } from '@oclif/core'

// Never read from stdin: oclif otherwise takes a piped stdin as a missing argument, so
// `printf 'ls\n' | vault exec` would run profile "ls", and `… | vault clear` clear whatever was piped.

/** The PROFILE argument of a command that cannot do without one. */
export const requiredProfileArg = (description: string) =>
  Args.string({ description, required: true, ignoreStdin: true })

/** The PROFILE argument of a command with a default (AWS_PROFILE, all profiles, …). */
export const optionalProfileArg = (description: string) => Args.string({ description, ignoreStdin: true })
