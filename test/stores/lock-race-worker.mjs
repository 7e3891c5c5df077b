// A contender for the lock race test (file-lock-race.test.ts): plain node, no tsx, so a pool of
// them starts fast. It reads one job per line on stdin, {path, times, staleMs, holdMs}, takes the
// lock `times` times, and prints `done` (or `error CODE MESSAGE`). Inside the lock it binds a Linux
// abstract socket named after the lock: the kernel lets one process bind a name, and frees it the
// moment that process dies (kill -9 included), so a second holder alive at once finds it taken and
// prints `double`. The oracle shares nothing with the lock's own idea of who is alive.
import { readdir } from 'node:fs/promises'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'

const { acquireFileLock } = await import(new URL('../../dist/stores/file-lock.js', import.meta.url).href)
const say = (line) => process.stdout.write(`${line}\n`)

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
      const at = () => (performance.timeOrigin + performance.now()).toFixed(2)
      if (!server) say(`double ${at()} ${process.pid} ${(await readdir(`${job.path}.lock`).catch(() => [])).join(',')}`)
      say(`in ${at()} ${process.pid} ${(await readdir(`${job.path}.lock`).catch(() => [])).join(',')}`)
      await new Promise((r) => setTimeout(r, Math.random() * job.holdMs))
      say(`out ${at()} ${process.pid}`)
      if (server) await new Promise((r) => server.close(r))
      await release()
    }
    say('done')
  } catch (err) {
    say(`error ${err.code ?? err.constructor?.name} ${String(err.message).replace(/\n/g, ' ')}`)
  }
}
