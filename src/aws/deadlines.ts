import { type BodyDeadlineHandler, withBodyDeadline } from './body-deadline.js'

/**
 * Deadlines for every call vault makes over the network (STS, IAM, the federation endpoint), in
 * one place. The AWS SDK waits forever by default: an endpoint that accepts the connection and
 * never answers would hang vault, every credential_process caller behind it, and every process
 * waiting on its lock. Worst case per call: maxAttempts × attemptMs plus the SDK's backoff
 * (well under a second for three attempts), about 31 s, inside the 60 s the user is promised.
 */
export const deadlines = {
  /** Establishing the TCP (and TLS) connection. */
  connectMs: 5_000,
  /** One attempt, from sending the request to the last byte of the response body; also the idle-socket limit. */
  attemptMs: 10_000,
  /** Attempts per call, including the first: throttling, 5xx and timeouts are retried with backoff. */
  maxAttempts: 3,
} as const

/** How the user reads the bound: "10 s, 3 attempts". */
export const deadlineText = `${deadlines.attemptMs / 1000} s, ${deadlines.maxAttempts} attempts`

/**
 * The options every AWS SDK client is built with. `requestHandler` as a plain object makes the
 * SDK build its NodeHttpHandler with these options (@smithy/node-http-handler `create`), so vault
 * needs no direct dependency on it. Without throwOnRequestTimeout, requestTimeout only logs a
 * warning and the request keeps waiting. requestTimeout stops at the response headers, so an
 * extension (the SDK's hook for replacing the handler) wraps that handler with a deadline over
 * the whole attempt, body included.
 */
export function sdkClientOptions(d: { connectMs: number; attemptMs: number; maxAttempts: number } = deadlines) {
  return {
    maxAttempts: d.maxAttempts,
    requestHandler: {
      connectionTimeout: d.connectMs,
      requestTimeout: d.attemptMs,
      socketTimeout: d.attemptMs,
      throwOnRequestTimeout: true,
    },
    extensions: [
      {
        configure(c: { httpHandler(): unknown; setHttpHandler(h: never): void }) {
          c.setHttpHandler(withBodyDeadline(c.httpHandler() as BodyDeadlineHandler, d.attemptMs) as never)
        },
      },
    ],
  }
}
