/**
 * The SDK's requestTimeout ends when the response headers arrive, and its socket timeout needs
 * that long of silence: an endpoint that sends its headers and then one byte a second is never cut
 * off. This wraps the SDK's own HTTP handler so each attempt, body included, has one deadline.
 */

/** The parts of @smithy/types' HttpHandler this wrapper uses (the SDK passes an instance). */
export interface BodyDeadlineHandler {
  handle(
    request: unknown,
    options?: { abortSignal?: AbortSignalLike; requestTimeout?: number },
  ): Promise<{ response: { body?: unknown } }>
  destroy?(): void
  updateHttpClientConfig?(key: never, value: never): void
  httpHandlerConfigs?(): unknown
}

/** The SDK's abort signal type: the DOM one, or its own with `onabort`. */
interface AbortSignalLike {
  readonly aborted: boolean
  addEventListener?(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener?(type: 'abort', listener: () => void): void
}

interface Body {
  destroy?(error?: Error): void
  once?(event: string, listener: () => void): void
}

/** What the SDK's timeouts throw: its retry strategy retries it, and transportError names it. */
function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no complete response within ${ms} ms (body included)`), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
  })
}

/**
 * `inner` with a deadline of `ms` over each attempt, from sending the request to the last byte of
 * the body. At the deadline a pending request is aborted, and a body still arriving is destroyed
 * with a TimeoutError, which the SDK's body collector rejects with.
 */
export function withBodyDeadline<H extends BodyDeadlineHandler>(inner: H, ms: number): H {
  const handle: BodyDeadlineHandler['handle'] = (request, options = {}) => {
    const controller = new AbortController()
    const outer = options.abortSignal
    const forward = () => controller.abort()
    if (outer?.aborted) controller.abort()
    outer?.addEventListener?.('abort', forward, { once: true })
    let body: Body | undefined
    const done = () => {
      clearTimeout(timer)
      outer?.removeEventListener?.('abort', forward)
    }
    const timer = setTimeout(() => {
      const error = timeoutError(ms)
      controller.abort(error)
      body?.destroy?.(error)
    }, ms)
    timer.unref() // the socket keeps vault alive while a request runs; a body nobody reads must not
    return inner.handle(request, { ...options, abortSignal: controller.signal }).then(
      (out) => {
        const b = out.response.body as Body | undefined
        if (b && typeof b.once === 'function') {
          body = b
          b.once('close', done)
          b.once('end', done)
        } else {
          done()
        }
        return out
      },
      (err: unknown) => {
        done()
        // An abort at the deadline reads as the deadline, so it is retried and named as one.
        throw controller.signal.reason instanceof Error && controller.signal.reason.name === 'TimeoutError'
          ? controller.signal.reason
          : err
      },
    )
  }
  return new Proxy(inner, {
    get: (target, key, receiver) => (key === 'handle' ? handle : Reflect.get(target, key, receiver)),
  })
}
