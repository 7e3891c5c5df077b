/** How long to watch the opener (xdg-open, open, start) for a failure before trusting it worked. */
const watchMs = 1500

/**
 * Opens `url` with $BROWSER when it is set (a `:`-separated list of commands, each taking the URL
 * as its argument or in place of `%s`, as xdg-open and Python's webbrowser read it; the first that
 * starts wins), else in the default browser through the `open` package (imported on use). `open` does
 * not wait for its helper, so a helper that fails at once (xdg-open with no desktop session exits
 * 3 within milliseconds) is caught by watching it briefly; one still running is taken as success.
 */
export async function openInBrowser(
  url: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<void> {
  if (env.BROWSER) return openWithBrowserVariable(url, env.BROWSER)
  const { default: open } = await import('open')
  await watch(await open(url))
}

async function openWithBrowserVariable(url: string, browser: string): Promise<void> {
  const { spawn } = await import('node:child_process')
  let last: Error = new Error('BROWSER is empty')
  for (const command of browser.split(':').filter((c) => c.trim())) {
    const words = command.trim().split(/\s+/)
    const args = words.slice(1).map((w) => w.replace('%s', url))
    if (!command.includes('%s')) args.push(url)
    try {
      return await watch(spawn(words[0], args, { stdio: 'ignore', detached: true }))
    } catch (err) {
      last = err as Error
    }
  }
  throw last
}

async function watch(child: import('node:child_process').ChildProcess): Promise<void> {
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
