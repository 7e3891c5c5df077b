/** Asks with terminalPrompt and prints the answer as JSON on stdout (run under a pty by the test). */
import { terminalPrompt } from '../../src/stores/passphrase.js'

const answer = await terminalPrompt('Enter passphrase to unlock /tmp/keys')
process.stdout.write(`${JSON.stringify({ answer })}\n`)
