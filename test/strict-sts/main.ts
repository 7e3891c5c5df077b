/**
 * Runs the strict STS as its own process: `node --import ./test/loader/register.mjs test/strict-sts/main.ts MOTO_URL`, or
 * bundled by test/e2e/moto-pool.mjs, `node strict-sts.mjs MOTO_URL`.
 * Prints `strict-sts listening on PORT` once ready, and exits when its stdin closes, so it never
 * outlives the test process that started it.
 */
import { createStrictSts } from './server.js'

const motoUrl = process.argv[2]
if (!motoUrl) {
  process.stderr.write('usage: main.ts MOTO_URL\n')
  process.exit(2)
}
const server = createStrictSts(motoUrl)
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`strict-sts listening on ${typeof address === 'object' && address ? address.port : 0}\n`)
})
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
process.on('SIGTERM', () => process.exit(0))
