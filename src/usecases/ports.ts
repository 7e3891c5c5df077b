import type { CredentialAgent } from '../agent/port.js'
import type { IamFactory } from '../iam/iam-port.js'
import type { Clock, Env, Logger, Streams } from '../runtime/types.js'
import type { SessionStore } from '../sessions/session-store.js'
import type { CredentialStore } from '../stores/credential-store.js'
import type { SecretStore } from '../stores/secret-store.js'
import type { HandOutSink } from '../vault/hand-out.js'
import type { LockFn } from '../vault/provider.js'
import type { SsoPorts } from '../vault/sso/sso-port.js'
import type { StsFactory } from '../vault/sts-port.js'

/**
 * Every port the composition root (src/compose/runtime.ts) offers, each declared once. A use case
 * never takes all of them: it declares its own `XxxDeps` as a `Pick` of the members it touches,
 * as GitHub CLI's Options structs do, so its signature says what it reaches and a test builds
 * only that. The root's `Runtime` is this interface, built with the real backends.
 */
export interface Ports {
  readonly env: Env
  readonly clock: Clock
  readonly log: Logger
  readonly homedir: string
  readonly platform: NodeJS.Platform
  readonly streams: Streams
  /** True when a controlling terminal can be opened for prompts. */
  readonly hasTerminal: boolean
  /** Whether stdout is a terminal (false for a pipe, a file or `$(…)`); undefined when unknown. */
  readonly stdoutIsTerminal?: boolean
  readonly backend?: string
  readonly promptDriver?: string
  readonly stsFactory: StsFactory
  readonly iamFactory: IamFactory
  /** SSO OIDC and portal clients (IAM Identity Center). */
  readonly ssoPorts: SsoPorts
  /** HTTP for the console sign-in federation endpoint. */
  readonly fetch: typeof globalThis.fetch
  /** Opens a URL in the default browser; rejects when none could be opened. */
  openBrowser(url: string): Promise<void>
  /** Waits, e.g. between retries while a new IAM key propagates. */
  sleep(ms: number): Promise<void>
  /** Cross-process single-flight for credential fetches. */
  readonly lock: LockFn
  /** The secret store picked by --backend / AWS_VAULT_BACKEND, built on first use. */
  store(): Promise<SecretStore>
  /** Long-term keys, on store(). */
  keys(): Promise<CredentialStore>
  /** Cached STS sessions, on store(). One instance per invocation: it lists the store once. */
  sessions(): Promise<SessionStore>
  /** The file backend's passphrase for `dir` (AWS_VAULT_FILE_PASSPHRASE, else a prompt). */
  passphrase(dir: string): Promise<string>
  /** Where every hand-out of credentials is reported (the audit log); see src/vault/hand-out.ts. */
  readonly handOuts: HandOutSink
  /** The running agent (src/agent/), asked first for credentials; undefined: none is configured. */
  readonly agent?: CredentialAgent
}
