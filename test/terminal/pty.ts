import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'

const PTY = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
trigger, replies = os.environ.get('REPLY_AFTER', '').encode(), os.environ.get('REPLY', '')
shown, sent, deadline = b'', not trigger, time.time() + 60
while time.time() < deadline:
    if select.select([fd], [], [], 0.1)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    if not sent and trigger in shown:
        time.sleep(0.2)
        for line in replies.split('\\n'):
            os.write(fd, line.encode() + b'\\r')
            time.sleep(0.2)
        sent = True
os.waitpid(pid, 0)
sys.stdout.write(shown.decode('utf8', 'replace'))
`

/**
 * Runs `command` (a shell line) on a fresh pseudo-terminal, its controlling terminal; once
 * `replyAfter` shows, types `reply` (lines separated by \n, each followed by Enter). Returns
 * everything the terminal showed. For prompt tests: the prompts read /dev/tty, not stdin.
 */
export function onPty(command: string, replyAfter = '', reply = ''): string {
  const r = spawnSync('/usr/bin/python3', ['-c', PTY, 'sh', '-c', command], {
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, REPLY_AFTER: replyAfter, REPLY: reply },
  })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout
}
