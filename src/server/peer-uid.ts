import { readFile } from 'node:fs/promises'
import { endianness } from 'node:os'

/** The two ends of an accepted TCP connection, as Node reports them on the server's socket. */
export interface Connection {
  remoteAddress?: string
  remotePort?: number
  localAddress?: string
  localPort?: number
}

/** Why a connection is refused, or undefined to serve it. */
export type PeerCheck = (c: Connection) => Promise<string | undefined>

const tables = ['/proc/net/tcp', '/proc/net/tcp6']

/**
 * Only the user who started vault may ask its credential servers. A loopback port is open to
 * every local user, and the ECS token or IMDS protocol does not stop one who can read the
 * child's environment or, for IMDS, anyone at all. On Linux the kernel says who owns the client
 * end: its row in /proc/net/tcp (or tcp6, for an IPv6 socket reaching 127.0.0.1 as
 * ::ffff:127.0.0.1) has the client's address as local_address, ours as rem_address, and the
 * owner's uid. aws-vault has no such check. Elsewhere there is no such table: no check.
 */
export function ownerOnly(
  uid: number | undefined = process.getuid?.(),
  platform: NodeJS.Platform = process.platform,
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): PeerCheck {
  if (platform !== 'linux' || uid === undefined) return async () => undefined
  return async (c) => {
    const owner = (await peerSocket(c, read))?.uid
    if (owner === uid) return undefined
    return owner === undefined
      ? 'could not tell which user opened this connection (no match in /proc/net/tcp); refused'
      : `this credential server serves only the user who started it (uid ${uid}), not uid ${owner}`
  }
}

/** "127.0.0.1:40123" for an IPv4 or IPv4-mapped address; undefined for anything else. */
function endpoint(address: string | undefined, port: number | undefined): string | undefined {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address ?? '')?.[1]
  return v4 && port ? `${v4}:${port}` : undefined
}

/**
 * The client end of connection `c` in /proc/net/tcp{,6}: its owner's uid and its socket inode
 * (the hand-out log finds the client's process by it, src/audit/requester.ts).
 */
export async function peerSocket(
  c: Connection,
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<{ uid: number; inode: number } | undefined> {
  const peer = endpoint(c.remoteAddress, c.remotePort)
  const local = endpoint(c.localAddress, c.localPort)
  if (!peer || !local) return undefined
  for (const table of tables) {
    const found = findSocket(await read(table).catch(() => ''), peer, local)
    if (found) return found
  }
  return undefined
}

/** The uid on the row whose local end is `peer` and remote end is `local`, in /proc/net/tcp{,6} text. */
export function findOwner(table: string, peer: string, local: string, order = endianness()): number | undefined {
  return findSocket(table, peer, local, order)?.uid
}

/** That row's uid and socket inode. */
function findSocket(
  table: string,
  peer: string,
  local: string,
  order = endianness(),
): { uid: number; inode: number } | undefined {
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f.length < 8) continue
    if (decode(f[1] as string, order) === peer && decode(f[2] as string, order) === local)
      return { uid: Number(f[7]), inode: Number(f[9] ?? 0) }
  }
  return undefined
}

/**
 * "0100007F:9C5B" → "127.0.0.1:40027". The kernel prints each 32-bit word of the address in host
 * byte order, the port in network order. IPv6 rows are read only when they hold an IPv4-mapped
 * address (::ffff:a.b.c.d), the one way an IPv6 socket reaches a server on 127.0.0.1.
 */
function decode(field: string, order: 'BE' | 'LE'): string | undefined {
  const [hex, port] = field.split(':')
  if (!hex || !port) return undefined
  const words = hex.match(/.{8}/g) ?? []
  const bytes = words.flatMap((w) => {
    const b = (w.match(/../g) ?? []).map((x) => Number.parseInt(x, 16))
    return order === 'LE' ? b.reverse() : b
  })
  let v4: number[]
  if (bytes.length === 4) v4 = bytes
  else if (bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    v4 = bytes.slice(12)
  else return undefined
  return `${v4.join('.')}:${Number.parseInt(port, 16)}`
}
