// A tiny HTTP app in the test process for daprd to call: answers any path and records every request it saw, so a
// test can tell whether an invocation reached it and with which headers (tokens, OAuth headers).
import http from 'node:http'
import type {AddressInfo} from 'node:net'

export interface RecordedRequest {
  method: string
  /** Path and query as the app received them, e.g. `/hello`. */
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

export interface AppResponse {
  status?: number
  body?: string
  headers?: Record<string, string>
}

export interface TestApp {
  port: number
  /** Every request so far, oldest first; daprd itself asks for GET /dapr/config when it starts. */
  requests: RecordedRequest[]
  stop(): Promise<void>
}

/**
 * Starts the app on a free loopback port; by default it answers 200 `hello from <path>`, and 404 to daprd's own
 * `/dapr/*` questions (actor config, subscriptions), which is how an app says it has none.
 */
export function startApp(respond: (request: RecordedRequest) => AppResponse = defaultResponse): Promise<TestApp> {
  const requests: RecordedRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(request)
      const answer = respond(request)
      res.writeHead(answer.status ?? 200, {'content-type': 'text/plain', ...answer.headers})
      res.end(answer.body ?? '')
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        requests,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => {
              done()
            })
          }),
      })
    })
  })
}

function defaultResponse(request: RecordedRequest): AppResponse {
  if (request.url.startsWith('/dapr/')) return {status: 404}
  return {body: `hello from ${request.url}`}
}
