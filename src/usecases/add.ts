import { ConfigFile, configFilePath } from '../config/config-file.js'
import { addProfileSection, checkProfileName } from '../config/write.js'
import { UsageError } from '../errors.js'
import { printable } from '../output/printable.js'
import type { Prompts } from '../runtime/prompts.js'
import type { Runtime } from '../runtime/runtime.js'
import { type AwsCredentials, maskKey } from '../vault/credentials.js'

export interface AddRequest {
  profile: string
  /** Read AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY instead of prompting. */
  fromEnv: boolean
  addConfig: boolean
  prompts: Prompts
}

const accessKeyShape = /^(AKIA|ASIA)[A-Z0-9]{16}$/

/** `vault add`: stores long-term keys for a profile, and drops that profile's old sessions. */
export async function addCredentials(rt: Runtime, req: AddRequest): Promise<void> {
  // Before anything is read or stored: a name the config file cannot hold would leave keys that
  // `export` serves but no [profile] section (issue 15).
  checkProfileName(req.profile)
  const configPath = configFilePath(rt.env, rt.homedir)
  const config = await ConfigFile.load(configPath, rt.log)
  const source = config.section(req.profile)?.values.source_profile
  if (source && source !== req.profile) {
    throw new UsageError(
      `profile "${req.profile}" has source_profile "${source}" in ${configPath}: keys stored for it would never be used`,
      `store them for the source profile instead: vault add ${source}`,
    )
  }
  const creds = req.fromEnv ? fromEnvironment(rt) : await fromPrompts(req.prompts)
  checkShape(creds)
  await (await rt.keys()).set(req.profile, creds)
  rt.log.debug(
    `profile ${req.profile}: stored access key ${maskKey(creds.accessKeyId)} in the ${(await rt.store()).name} store`,
  )
  // aws-vault cli/add.go prints both results on stdout, in this order and wording.
  rt.streams.stdout.write(`Added credentials to profile "${printable(req.profile)}" in vault\n`)
  const cleared = await (await rt.sessions()).removeForProfile(req.profile)
  if (cleared > 0) rt.streams.stdout.write(`Deleted ${cleared} existing sessions.\n`)
  if (req.addConfig && !config.hasProfile(req.profile)) {
    await addProfileSection(configPath, req.profile, {})
    rt.log.debug(`added [${req.profile === 'default' ? 'default' : `profile ${req.profile}`}] to ${configPath}`)
  }
}

function fromEnvironment(rt: Runtime): AwsCredentials {
  const accessKeyId = rt.env.AWS_ACCESS_KEY_ID
  const secretAccessKey = rt.env.AWS_SECRET_ACCESS_KEY
  if (!accessKeyId || !secretAccessKey) {
    throw new UsageError('--env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment')
  }
  return { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() }
}

async function fromPrompts(prompts: Prompts): Promise<AwsCredentials> {
  const accessKeyId = (await prompts.text('Enter Access Key ID:')).trim()
  const secretAccessKey = (await prompts.secret('Enter Secret Access Key:')).trim()
  return { accessKeyId, secretAccessKey }
}

function checkShape(creds: AwsCredentials): void {
  if (!accessKeyShape.test(creds.accessKeyId)) {
    // The key id is not secret on its own, but it is masked anyway: it may be a pasted secret.
    throw new UsageError(
      `"${maskKey(creds.accessKeyId)}" is not an access key id (AKIA or ASIA and 16 letters or digits)`,
      'copy the Access key ID column from the IAM console',
    )
  }
  if (creds.secretAccessKey.length !== 40) {
    throw new UsageError(
      `the secret access key has ${creds.secretAccessKey.length} characters, not 40`,
      'paste the whole secret access key',
    )
  }
}
