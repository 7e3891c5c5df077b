import type { Runtime } from '../runtime/runtime.js'

/** `vault clear [PROFILE]`: deletes cached sessions, all or one profile's. Long-term keys stay. */
export async function clearSessions(rt: Runtime, profile?: string): Promise<number> {
  const sessions = await rt.sessions()
  const count = profile ? await sessions.removeForProfile(profile) : await sessions.removeAll()
  // aws-vault cli/clear.go's exact line, plural included, on stdout: scripts grep it there.
  rt.streams.stdout.write(`Cleared ${count} sessions.\n`)
  return count
}
