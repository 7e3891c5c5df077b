import { ConfigError } from '../errors.js'
import { OutputFailure, readOutput } from '../exec/read-output.js'
import { FileReadRefused, readBoundedText } from '../fs/read-file.js'
import type { ObtainTrace } from './hand-out.js'
import type { CredentialProvider } from './provider.js'
import type { StsFactory, StsTarget } from './sts-port.js'

export interface WebIdentityOptions {
  profile: string
  roleArn: string
  roleSessionName: string
  durationSeconds: number
  tokenFile?: string
  tokenProcess?: string
  env: Record<string, string | undefined>
  sts: StsFactory
  target: StsTarget
  trace?: ObtainTrace
}

/** OIDC tokens are a few KiB; a megabyte is a mistake, not a token. */
const maxToken = 1024 * 1024

/**
 * AssumeRoleWithWebIdentity with a token from web_identity_token_file or, as in aws-vault
 * (vault/assumerolewithwebidentityprovider.go), web_identity_token_process run through the
 * shell. An empty token is refused here: STS would answer with a vague validation error.
 */
export function webIdentityProvider(o: WebIdentityOptions): CredentialProvider {
  const fromFile = async (file: string): Promise<string> => {
    try {
      return (await readBoundedText(file, { maxBytes: maxToken })).trim()
    } catch (err) {
      const why = err instanceof FileReadRefused ? err.why : (err as NodeJS.ErrnoException).code
      throw new ConfigError(
        `profile "${o.profile}": cannot read web_identity_token_file ${file} (${why})`,
        'check the path, or have the tool that writes the token run first',
      )
    }
  }
  const fromProcess = async (command: string): Promise<string> => {
    try {
      return await readOutput({ command, shell: true, env: o.env, maxStdout: maxToken })
    } catch (err) {
      if (!(err instanceof OutputFailure)) throw err
      throw new ConfigError(
        `profile "${o.profile}": web_identity_token_process ${err.why}`,
        'check the web_identity_token_process command in your config',
      )
    }
  }
  const token = async (): Promise<string> => {
    const value = o.tokenFile ? await fromFile(o.tokenFile) : await fromProcess(o.tokenProcess ?? '')
    if (value === '') {
      throw new ConfigError(
        o.tokenFile
          ? `profile "${o.profile}": web_identity_token_file ${o.tokenFile} is empty`
          : `profile "${o.profile}": web_identity_token_process printed no token`,
        'it must hold the OIDC token (a JWT) of your identity provider',
      )
    }
    return value
  }
  return {
    description: `AssumeRoleWithWebIdentity ${o.roleArn} for ${o.profile}`,
    async retrieve() {
      const creds = await o.sts(undefined, o.target).assumeRoleWithWebIdentity({
        roleArn: o.roleArn,
        roleSessionName: o.roleSessionName,
        durationSeconds: o.durationSeconds,
        webIdentityToken: await token(),
      })
      const { profile, roleArn, roleSessionName } = o
      o.trace?.({ kind: 'call', api: 'AssumeRoleWithWebIdentity', profile, roleArn, roleSessionName })
      return creds
    },
  }
}
