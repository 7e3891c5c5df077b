// A contender for the lock race test (file-lock-race.test.ts): plain node on dist/, no TypeScript loader, so a
// pool of them starts fast. It says `ready` once loaded, then reads one job per line on stdin, {path, socket, times, holdMs,
// staleMs}, takes the lock `times` times, and prints `done`, or `error CODE MESSAGE`. Holding the
// lock, it binds a Linux abstract socket named after the round: the kernel lets one process bind a
// name, and frees it the moment that process dies (kill -9 included), so a second holder alive at
// the same time finds it taken and prints `double`. That oracle shares nothing with the lock's own
// idea of who is alive.
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'

const { acquireFileLock } = await import(new URL('../../dist/lock/file-lock.js', import.meta.url).href)
const say = (line) => process.stdout.write(`${line}\n`)
say('ready')

function bind(name) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', (err) => {
      if (err.code !== 'EADDRINUSE') say(`error bind ${err.code}`)
      resolve(undefined)
    })
    server.listen({ path: `\0${name}` }, () => resolve(server))
  })
}

for await (const line of createInterface({ input: process.stdin })) {
  const job = JSON.parse(line)
  try {
    for (let i = 0; i < job.times; i++) {
      const release = await acquireFileLock({ path: job.path, name: 'race', waitMs: 60_000, staleMs: job.staleMs })
      const server = await bind(job.socket)
      if (!server) say(`double ${process.pid}`)
      say(`in ${process.pid}`)
      await new Promise((r) => setTimeout(r, Math.random() * job.holdMs))
      if (server) await new Promise((r) => server.close(r))
      say(`out ${process.pid}`)
      await release()
    }
    say('done')
  } catch (err) {
    say(`error ${err.code ?? err.constructor?.name} ${String(err.message).replace(/\n/g, ' ')}`)
  }
}
