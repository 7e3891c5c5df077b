/** Runs one conversation of src/terminal/prompt.ts and prints its outcome as JSON (under a pty, from prompt.test.ts). */
import { promptOnTerminal } from '../../src/mfa/terminal-prompt.js'
import { onTerminal } from '../../src/terminal/prompt.js'

// Loaded before the clock starts: on a busy machine, loading the prompt library could itself take
// longer than the deadline, and the question would never be shown.
await import('@inquirer/prompts')
await import('node:readline')

const cancelled = 'test prompt cancelled'
const noTerminal = (err: Error) => err
const runs: Record<string, () => Promise<unknown>> = {
  mfa: () => promptOnTerminal('arn:aws:iam::123456789012:mfa/a\x1b[2Jb', 'p'),
  'line-deadline': () => onTerminal({ noTerminal, cancelled, deadlineMs: 2000 }, (c) => c.line('Code: ')),
  'hidden-deadline': () => onTerminal({ noTerminal, cancelled, deadlineMs: 2000 }, (c) => c.hidden('Secret', true)),
}
try {
  process.stdout.write(`${JSON.stringify({ answer: await runs[process.argv[2]]() })}\n`)
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: (err as Error).name, message: (err as Error).message })}\n`)
}
