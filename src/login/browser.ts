/** How long to watch the opener (xdg-open, open, start) for a failure before trusting it worked. */
const watchMs = 1500

/**
 * Opens `url` in the default browser through the `open` package (imported on use). `open` does
 * not wait for its helper, so a helper that fails at once (xdg-open with no desktop session exits
 * 3 within milliseconds) is caught by watching it briefly; one still running is taken as success.
 */
export async function openInBrowser(url: string): Promise<void> {
  const { default: open } = await import('open')
  const child = await open(url)
  // An 'error' after the watch (none is expected) must not crash vault.
  child.on('error', () => {})
  child.ref()
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(done, watchMs)
    child.once('error', (err) => finish(() => reject(err)))
    child.once('exit', (code, signal) =>
      finish(() => (code === 0 ? resolve() : reject(new Error(`the browser opener exited with ${code ?? signal}`)))),
    )
    function done() {
      finish(resolve)
    }
    function finish(settle: () => void) {
      clearTimeout(timer)
      child.removeAllListeners('exit')
      child.unref()
      settle()
    }
  })
}
