import { buildChildEnv } from '../exec/child-env.js'
import { runChild } from '../exec/run-child.js'
import { credentialProcessJson, credentialVariables } from '../output/format.js'
import type { Runtime } from '../runtime/runtime.js'
import { type CredentialRequest, getCredentials, refuseNested } from './get-credentials.js'

export interface ExecRequest extends CredentialRequest {
  command?: string
  args: string[]
  /** -j/--json: print credential_process JSON instead of running anything. */
  json: boolean
}

/** `vault exec`: runs the command (or $SHELL) with the profile's credentials; resolves its exit code. */
export async function execProfile(rt: Runtime, req: ExecRequest): Promise<number> {
  refuseNested(rt, 'exec')
  const { credentials, profile } = await getCredentials(rt, { ...req, forCredentialProcess: req.json })
  if (req.json) {
    rt.streams.stdout.write(credentialProcessJson(credentials))
    return 0
  }
  if (req.noSession && !credentials.sessionToken) {
    rt.streams.stderr.write(`vault: warning: handing long-lived access keys of "${profile.name}" to the command (--no-session)\n`)
  }
  const env = buildChildEnv(rt.env, profile.name, credentialVariables(credentials, profile.region))
  let command = req.command
  let args = req.args
  if (!command) {
    command = rt.env.SHELL || (rt.platform === 'win32' ? 'cmd.exe' : '/bin/sh')
    args = []
    rt.streams.stderr.write(`vault: starting ${command} with credentials for "${profile.name}"; type exit to leave it\n`)
  }
  rt.log.debug(`exec ${command} with ${args.length} argument(s)`)
  return runChild(command, args, env)
}
