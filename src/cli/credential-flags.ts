import { Flags } from '@oclif/core'
import { DURATION_VARIABLE } from '../config/duration.js'
import { durationFlag } from './requests.js'

/** Flags shared by exec, export and login: how the credentials are made (see credentialRequest). */
export const credentialFlags = {
  duration: Flags.string({
    char: 'd',
    env: DURATION_VARIABLE,
    summary: 'Duration of the temporary credentials, e.g. 1h, 90m, 3600.',
    // Checked here so oclif reports it before anything runs; the value stays as typed, and
    // credentialRequest reads it with the same function on both paths.
    parse: async (input) => {
      durationFlag(input)
      return input
    },
  }),
  'mfa-token': Flags.string({ char: 't', summary: 'The current MFA code, instead of a prompt.' }),
  'no-browser': Flags.boolean({
    summary: 'SSO: show the sign-in URL and code, but do not open a browser.',
  }),
  'no-session': Flags.boolean({
    char: 'n',
    summary: 'Skip GetSessionToken: use the long-term keys (or assume roles straight from them).',
  }),
  region: Flags.string({ summary: 'The AWS region, overriding the profile and AWS_REGION.' }),
}

/**
 * exec and export: aws-vault's name for --no-browser (cli/exec.go, export.go: "Print the SSO link
 * to the terminal without automatically opening the browser", AWS_VAULT_STDOUT). login declares
 * its own --stdout, which prints the console sign-in URL.
 */
export const ssoStdoutFlag = {
  stdout: Flags.boolean({
    env: 'AWS_VAULT_STDOUT',
    summary: 'SSO: show the sign-in URL and code instead of opening a browser (same as --no-browser).',
  }),
}
