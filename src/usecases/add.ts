import type { AwsCredentials } from '../aws/credentials.js'
import { ConfigFile, configFilePath } from '../config/config-file.js'
import { addProfileSection } from '../config/write.js'
import { StoreError, UsageError } from '../errors.js'
import { printable } from '../output/printable.js'
import { checkEntry, checkEntryName, checkKeyId, shownKeyId } from '../stores/entry-gate.js'
import type { Prompts } from '../terminal/prompt.js'
import type { Ports } from './ports.js'

export interface AddRequest {
  profile: string
  /** Read AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY instead of prompting. */
  fromEnv: boolean
  addConfig: boolean
  prompts: Prompts
}

/** `vault add`: stores long-term keys for a profile, and drops that profile's old sessions. */
/** What `add` touches: the config (to add a section), the stores, and the streams. */
export type AddDeps = Pick<Ports, 'env' | 'homedir' | 'log' | 'streams' | 'keys' | 'sessions' | 'store'>

export async function addCredentials(rt: AddDeps, req: AddRequest): Promise<void> {
  // Before anything is read or stored: a name the config file cannot hold would leave keys that
  // `export` serves but no [profile] section (issue 15). The same gate as import and migrate.
  checkEntryName(req.profile)
  const configPath = configFilePath(rt.env, rt.homedir)
  const config = await ConfigFile.load(configPath, rt.log)
  const source = config.section(req.profile)?.values.source_profile
  if (source && source !== req.profile) {
    throw new UsageError(
      `profile "${req.profile}" has source_profile "${source}" in ${configPath}: keys stored for it would never be used`,
      `store them for the source profile instead: vault add ${source}`,
    )
  }
  const warn = (w: string) => rt.streams.stderr.write(`vault: warning: ${w}\n`)
  const warned = new Set<string>()
  const creds = req.fromEnv
    ? fromEnvironment(rt)
    : await fromPrompts(req.prompts, (w) => {
        warned.add(w)
        warn(w)
      })
  for (const w of checkEntry(req.profile, creds)) if (!warned.has(w)) warn(w)
  await inUserTerms(req.profile, 'store the keys of', async () => (await rt.keys()).set(req.profile, creds))
  rt.log.debug(
    `profile ${printable(req.profile)}: stored access key ${shownKeyId(creds.accessKeyId)} in the ${(await rt.store()).name} store`,
  )
  // aws-vault cli/add.go prints both results on stdout, in this order and wording.
  rt.streams.stdout.write(`Added credentials to profile "${printable(req.profile)}" in vault\n`)
  const cleared = await inUserTerms(req.profile, 'delete the old sessions of', async () =>
    (await rt.sessions()).removeForProfile(req.profile),
  )
  if (cleared > 0) rt.streams.stdout.write(`Deleted ${cleared} existing sessions.\n`)
  if (req.addConfig && !config.hasProfile(req.profile)) {
    await addProfileSection(configPath, req.profile, {})
    rt.log.debug(`added [${req.profile === 'default' ? 'default' : `profile ${req.profile}`}] to ${configPath}`)
  }
}

function fromEnvironment(rt: Pick<Ports, 'env'>): AwsCredentials {
  const accessKeyId = rt.env.AWS_ACCESS_KEY_ID
  const secretAccessKey = rt.env.AWS_SECRET_ACCESS_KEY
  if (!accessKeyId || !secretAccessKey) {
    throw new UsageError('--env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment')
  }
  return { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() }
}

/** The id is checked as soon as it is typed: a refused one is retyped before any secret is. */
async function fromPrompts(prompts: Prompts, warn: (w: string) => void): Promise<AwsCredentials> {
  const accessKeyId = (await prompts.text('Enter Access Key ID:')).trim()
  for (const w of checkKeyId(accessKeyId)) warn(w)
  const secretAccessKey = (await prompts.secret('Enter Secret Access Key:')).trim()
  return { accessKeyId, secretAccessKey }
}

/**
 * A store's errors name its own step and item ("reading \"sts.AssumeRole,c2Fn…\"": an internal
 * key); the user asked to add keys to a profile, so that is what the line says.
 */
async function inUserTerms<T>(profile: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (!(err instanceof StoreError)) throw err
    const why = err.message.replace(/^(?:reading|writing|removing|deleting|listing)(?: ".*?")?: /s, '')
    throw new StoreError(`cannot ${what} profile "${printable(profile)}": ${why}`, err.reason, err.hint, {
      cause: err,
    })
  }
}
