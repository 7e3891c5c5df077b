import { existsSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The socket path of the session bus (D-Bus Specification, "Server Addresses"): the first
 * `unix:path=` or `unix:abstract=` entry of DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus
 * (where systemd's user bus lives, as libdbus ≥ 1.10, sd-bus and GDBus fall back to). Abstract
 * names start with NUL, as Node's net module names them; a malformed escape is kept as it is.
 * Used by vault's D-Bus client and by the bus probe in front of the native module alike.
 */
export function sessionBusPath(env: { [k: string]: string | undefined }): string | undefined {
  const address = env.DBUS_SESSION_BUS_ADDRESS
  if (address) {
    for (const entry of address.split(';')) {
      const colon = entry.indexOf(':')
      if (entry.slice(0, colon).trim() !== 'unix') continue
      const keys = new Map<string, string>()
      for (const pair of entry.slice(colon + 1).split(',')) {
        const eq = pair.indexOf('=')
        if (eq > 0) keys.set(pair.slice(0, eq), decode(pair.slice(eq + 1)))
      }
      const path = keys.get('path')
      if (path) return path
      const abstract = keys.get('abstract')
      if (abstract) return `\0${abstract}`
    }
    return undefined
  }
  const runtime = env.XDG_RUNTIME_DIR
  if (runtime && existsSync(join(runtime, 'bus'))) return join(runtime, 'bus')
  return undefined
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
