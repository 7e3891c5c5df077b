import { readFile } from 'node:fs/promises'
import { ConfigError } from '../errors.js'
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
}

/** AssumeRoleWithWebIdentity with a token from web_identity_token_file or web_identity_token_process. */
export function webIdentityProvider(o: WebIdentityOptions): CredentialProvider {
  const token = async (): Promise<string> => {
    if (o.tokenFile) {
      try {
        return (await readFile(o.tokenFile, 'utf8')).trim()
      } catch (err) {
        throw new ConfigError(
          `profile "${o.profile}": cannot read web_identity_token_file ${o.tokenFile} (${(err as NodeJS.ErrnoException).code})`,
        )
      }
    }
    const { exec } = await import('node:child_process')
    return new Promise((resolve, reject) =>
      exec(o.tokenProcess ?? '', { env: o.env, timeout: 60_000 }, (err, stdout) =>
        err
          ? reject(new ConfigError(`profile "${o.profile}": web_identity_token_process failed (exit ${err.code})`))
          : resolve(stdout.trim()),
      ),
    )
  }
  return {
    description: `AssumeRoleWithWebIdentity ${o.roleArn} for ${o.profile}`,
    async retrieve() {
      return o.sts(undefined, o.target).assumeRoleWithWebIdentity({
        roleArn: o.roleArn,
        roleSessionName: o.roleSessionName,
        durationSeconds: o.durationSeconds,
        webIdentityToken: await token(),
      })
    },
  }
}
