/**
 * An error reply (its D-Bus error name and message), or a failure of the bus itself. The wire
 * code (marshal.ts, wire.ts) throws only this, with errorName 'protocol', for anything
 * malformed that a peer sends, so a caller that maps DBusError maps every failure of the bus.
 */
export class DBusError extends Error {
  constructor(
    message: string,
    /**
     * e.g. org.freedesktop.DBus.Error.ServiceUnknown; the connection's own: 'timeout',
     * 'disconnected', 'auth', and 'protocol' for a message vault cannot read.
     */
    readonly errorName: string,
  ) {
    super(message)
  }
}

/**
 * A malformed message or signature: the peer broke the D-Bus Specification. The message may quote
 * what the peer sent (a signature), so it is made printable.
 */
export function protocolError(message: string): DBusError {
  return new DBusError(printable(message, 200), 'protocol')
}

/**
 * A string a peer sent, fit for an error line: control characters (C0, DEL, C1: terminal escape
 * sequences among them) as \xNN, and at most `max` characters.
 */
export function printable(s: string, max = 80): string {
  const short = s.length > max ? `${s.slice(0, max)}…` : s
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters escaped
  return short.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
