import type { Writable } from 'node:stream'
import { printable } from '../output/printable.js'

export type Env = Readonly<Record<string, string | undefined>>

export interface Clock {
  now(): Date
}

/** The --debug decision log. `debug` writes one line to stderr when enabled, and nothing otherwise. */
export interface Logger {
  readonly enabled: boolean
  debug(message: string): void
}

export interface Streams {
  stdout: Writable
  stderr: Writable
}

export const systemClock: Clock = { now: () => new Date() }

export const silentLogger: Logger = { enabled: false, debug() {} }

/** A logger that writes `vault: message` lines to a stream, for --debug. */
export function streamLogger(stream: Writable, enabled: boolean): Logger {
  return {
    enabled,
    debug(message: string) {
      if (enabled) stream.write(`vault: ${printable(message)}\n`)
    },
  }
}
