import { join } from 'node:path'
import { ConfigError } from '../errors.js'
import { FileReadRefused, fileCaps, readBoundedText } from '../fs/read-file.js'
import type { Env, Logger } from '../runtime/types.js'
import {
  canFindSections,
  findSection,
  type IndexedSection,
  type IniIndex,
  indexIni,
  materializeSection,
} from './ini.js'
import type { ConfigSection } from './types.js'

/**
 * The config file vault reads: $AWS_CONFIG_FILE, else ~/.aws/config. A leading `~/` is expanded,
 * as the AWS CLI does, so `AWS_CONFIG_FILE=~/work/config` in a dotfile means the same to both.
 */
export function configFilePath(env: Env, homedir: string): string {
  const fromEnv = env.AWS_CONFIG_FILE
  if (fromEnv) return expandHome(fromEnv, homedir)
  return join(homedir, '.aws', 'config')
}

export function expandHome(path: string, homedir: string): string {
  if (path === '~') return homedir
  if (path.startsWith('~/')) return join(homedir, path.slice(2))
  return path
}

/**
 * ~/.aws/config, checked in full when loaded (every syntax error is reported, file:line) but with
 * each section's values built only when first asked for, so a 2,000-profile file costs little.
 * When the whole file is plain (see canFindSections), a section is found by searching for its
 * header, and the file is indexed only when something needs every section (list, status).
 */
export class ConfigFile {
  /** Sections looked up by kind and name, found or not, while the file is not indexed. */
  private readonly found = new Map<string, IndexedSection | undefined>()

  private constructor(
    readonly path: string,
    private readonly text: string,
    private index: IniIndex | undefined,
    private readonly log?: Logger,
  ) {}

  /**
   * Read and check the file. A missing file is an empty config, not an error: a new user's first
   * `vault add` runs before ~/.aws/config exists.
   */
  static async load(path: string, log?: Logger): Promise<ConfigFile> {
    let text: string
    try {
      text = await readBoundedText(path, { maxBytes: fileCaps.awsConfig })
    } catch (err) {
      if (err instanceof FileReadRefused) throw new ConfigError(`config file ${err.message}`, err.hint, { cause: err })
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        if (log?.enabled) log.debug(`config file ${path} does not exist; starting from an empty config`)
        return ConfigFile.fromText('', path, log)
      }
      if (code === 'EISDIR') throw new ConfigError(`config file ${path} is a directory`, undefined, { cause: err })
      throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`, undefined, { cause: err })
    }
    return ConfigFile.fromText(text, path, log)
  }

  /** Parse text as if it had been read from `path` (tests, benchmarks, stdin). */
  static fromText(text: string, path: string, log?: Logger): ConfigFile {
    // Under --debug the file is indexed at once, for its notes on ignored and repeated sections.
    const plain = !log?.enabled && canFindSections(text)
    return new ConfigFile(path, text, plain ? undefined : indexIni(text, path, log), log)
  }

  /** Every section (profiles and sso-sessions) in file order, values built. */
  get sections(): readonly ConfigSection[] {
    return this.fullIndex().sections.map((s) => this.build(s))
  }

  /** Profile names in file order, `default` included when the file has a [default] section. */
  profileNames(): string[] {
    return [...this.fullIndex().profiles.keys()]
  }

  /** The `[profile NAME]` (or `[default]`) section. */
  section(name: string): ConfigSection | undefined {
    const found = this.lookUp('profile', name)
    return found && this.build(found)
  }

  hasProfile(name: string): boolean {
    return this.lookUp('profile', name) !== undefined
  }

  /** The `[sso-session NAME]` section. */
  ssoSession(name: string): ConfigSection | undefined {
    const found = this.lookUp('sso-session', name)
    return found && this.build(found)
  }

  /**
   * The IAM Identity Center start URL a profile's token is stored under: its sso_session's
   * sso_start_url, else its own (ByteNess aws-vault vault.ResolveSSOStartURL), with the session's
   * name when it has one (ByteNess labels the token with it in `list`).
   */
  ssoStartUrl(name: string): { url: string; session?: string } | undefined {
    const values = this.section(name)?.values ?? {}
    const session = values.sso_session
    const url = (session && this.ssoSession(session)?.values.sso_start_url) || values.sso_start_url
    return url ? { url, session: session || undefined } : undefined
  }

  private lookUp(kind: ConfigSection['kind'], name: string): IndexedSection | undefined {
    if (this.index) return (kind === 'profile' ? this.index.profiles : this.index.ssoSessions).get(name)
    const key = `${kind} ${name}`
    if (this.found.has(key)) return this.found.get(key)
    const found = findSection(this.text, kind, name)
    this.found.set(key, found)
    return found
  }

  private fullIndex(): IniIndex {
    this.index ??= indexIni(this.text, this.path, this.log)
    return this.index
  }

  private build(section: IndexedSection): ConfigSection {
    return materializeSection(this.text, this.path, section, this.log)
  }
}
