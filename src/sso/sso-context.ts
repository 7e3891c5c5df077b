import { join } from 'node:path'
import type { Runtime } from '../runtime/runtime.js'
import type { SsoContext } from '../vault/sso-provider.js'
import { readAwsCliToken } from './aws-cli-cache.js'

/**
 * The SSO part of the chain context, from the runtime: OIDC tokens in the session store's backend,
 * the code shown on the controlling terminal (else stderr, as under an SDK's credential_process),
 * the browser unless `noBrowser`, and the AWS CLI's token cache read as a fallback.
 */
export function ssoContext(rt: Runtime, options: { noBrowser?: boolean } = {}): SsoContext {
  return {
    ports: rt.ssoPorts,
    tokens: async () => {
      const [{ OidcTokenStore }, store] = await Promise.all([import('../sessions/oidc-token-store.js'), rt.store()])
      return new OidcTokenStore(store)
    },
    show: async (text) => {
      if (rt.hasTerminal) {
        try {
          const { openTerminal } = await import('../runtime/terminal.js')
          const terminal = await openTerminal(rt.platform)
          terminal.output.write(text)
          terminal.close()
          return
        } catch {
          // Fall back to stderr.
        }
      }
      rt.streams.stderr.write(text)
    },
    notice: (line) => rt.streams.stderr.write(`${line}\n`),
    openBrowser: options.noBrowser ? undefined : (url) => rt.openBrowser(url),
    sleep: (ms) => rt.sleep(ms),
    awsCliToken: (session) => readAwsCliToken(join(rt.homedir, '.aws', 'sso', 'cache'), session),
  }
}
