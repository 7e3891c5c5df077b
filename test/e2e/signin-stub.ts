import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A stand-in for signin.aws.amazon.com/federation on loopback: it records every request. */
export class SigninStub {
  readonly requests: URLSearchParams[] = []
  rejectSessionDuration = false
  private server?: Server
  url = ''

  async start() {
    this.server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://stub').searchParams
      this.requests.push(query)
      if (query.get('Action') !== 'getSigninToken' || !query.get('Session')) {
        res.writeHead(400).end('bad request')
      } else if (this.rejectSessionDuration && query.has('SessionDuration')) {
        // What AWS answers for SessionDuration with role-chained credentials.
        res.writeHead(400).end('SessionDuration is not allowed')
      } else {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ SigninToken: `stub-token-${this.requests.length}+/=` }))
      }
    })
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/federation`
  }
  reset() {
    this.requests.length = 0
    this.rejectSessionDuration = false
  }
  session(i: number) {
    return JSON.parse(this.requests[i].get('Session') ?? '') as Record<string, string>
  }
  stop() {
    return new Promise((resolve) => this.server?.close(resolve))
  }
}
