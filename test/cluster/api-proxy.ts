// A proxy between the CLI and the test apiserver, for faults no real cluster produces on cue: a request that never
// answers, a write held back before it reaches the apiserver (so it lands late), an answer held back after the
// apiserver acted, a connection dropped after the request was sent. It also records every request, to count them.
// The CLI talks plain HTTP to it (a kubeconfig with insecure-skip-tls-verify); it talks HTTPS to the apiserver.
import {readFileSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type {Socket} from 'node:net'
import path from 'node:path'

import {parse} from 'yaml'

export interface ProxiedRequest {
  method: string
  /** Path and query, e.g. /api/v1/namespaces/dapr-system/secrets/dapr-trust-bundle */
  url: string
  /** When the request arrived (Date.now()). */
  at: number
}

/** What the proxy does with a request; a rule returns undefined to let it pass untouched. */
export type Fault =
  /** Accept the request and never answer. */
  | {kind: 'hang'}
  /** Hold the request this long before forwarding it: it reaches the apiserver late. */
  | {kind: 'delay-request'; ms: number}
  /** Forward at once, hold the answer this long: the apiserver acts, the client hears late. */
  | {kind: 'delay-response'; ms: number}
  /** Forward at once, then cut the client's connection without answering. */
  | {kind: 'drop-after-send'}
  /** Forward at once, then call back before answering (a test can act in between), then answer. */
  | {kind: 'pause-response'; until: () => Promise<void>}

export type Rule = (request: ProxiedRequest, seen: number) => Fault | undefined

export interface ApiProxy {
  url: string
  /** A kubeconfig pointing at the proxy with the credentials of the one given. */
  kubeconfig: string
  /** Every request seen, in order. */
  requests: ProxiedRequest[]
  /** Replaces the fault rule (undefined: pass everything). */
  setRule(rule: Rule | undefined): void
  /** Resolves once every request forwarded so far has been answered by the apiserver. */
  settled(): Promise<void>
  close(): Promise<void>
}

interface KubeconfigFile {
  clusters: {cluster: {server: string; 'certificate-authority-data'?: string}}[]
  users: {user: {token?: string}}[]
}

/** Starts a proxy in front of the apiserver of `kubeconfigPath`, writing its own kubeconfig beside `dir`. */
export async function startApiProxy(kubeconfigPath: string, dir: string, name = 'proxy'): Promise<ApiProxy> {
  const config = parse(readFileSync(kubeconfigPath, 'utf8')) as KubeconfigFile
  const upstream = new URL(config.clusters[0]?.cluster.server ?? '')
  const ca = Buffer.from(config.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64')
  const token = config.users[0]?.user.token ?? ''
  const agent = new https.Agent({ca, keepAlive: true})
  const requests: ProxiedRequest[] = []
  const sockets = new Set<Socket>()
  const inFlight = new Set<Promise<void>>()
  let rule: Rule | undefined

  const forward = (incoming: http.IncomingMessage, body: Buffer) =>
    new Promise<{status: number; headers: http.IncomingHttpHeaders; body: Buffer}>((resolve, reject) => {
      const outgoing = https.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: {...incoming.headers, host: upstream.host},
          agent,
        },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () => {
            resolve({status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks)})
          })
          response.on('error', reject)
        },
      )
      outgoing.on('error', reject)
      outgoing.end(body)
    })

  const server = http.createServer((incoming, reply) => {
    const chunks: Buffer[] = []
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
    incoming.on('end', () => {
      const request = {method: incoming.method ?? 'GET', url: incoming.url ?? '/', at: Date.now()}
      requests.push(request)
      const fault = rule?.(request, requests.filter((r) => r.method === request.method && r.url === request.url).length)
      if (fault?.kind === 'hang') return
      const work = (async () => {
        if (fault?.kind === 'delay-request') await sleep(fault.ms)
        const answer = await forward(incoming, Buffer.concat(chunks))
        if (fault?.kind === 'drop-after-send') {
          incoming.socket.destroy()
          return
        }
        if (fault?.kind === 'delay-response') await sleep(fault.ms)
        if (fault?.kind === 'pause-response') await fault.until()
        if (reply.destroyed || incoming.socket.destroyed) return
        const headers = {...answer.headers}
        delete headers['transfer-encoding']
        delete headers.connection
        reply.writeHead(answer.status, {...headers, 'content-length': answer.body.length})
        reply.end(answer.body)
      })().catch(() => {
        if (!reply.headersSent && !reply.destroyed) {
          reply.writeHead(502)
          reply.end()
        }
      })
      inFlight.add(work)
      void work.finally(() => inFlight.delete(work))
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  const url = `http://127.0.0.1:${port}`
  const kubeconfig = path.join(dir, `${name}.kubeconfig`)
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: ${name}, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]`,
      `users: [{name: ${name}, user: {token: "${token}"}}]`,
      `contexts: [{name: ${name}, context: {cluster: ${name}, user: ${name}}}]`,
      `current-context: ${name}`,
      '',
    ].join('\n'),
    {mode: 0o600},
  )
  return {
    url,
    kubeconfig,
    requests,
    setRule(next) {
      rule = next
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      agent.destroy()
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve()
        }),
      )
    },
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A rule that faults the first `method` request whose path matches, and lets everything else pass. */
export function faultFirst(method: string, pathPattern: RegExp, fault: Fault): Rule {
  return (request, seen) =>
    request.method === method && pathPattern.test(request.url.split('?')[0] ?? '') && seen === 1 ? fault : undefined
}
