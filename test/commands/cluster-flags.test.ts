// Mistakes around -k, and an API server that never answers: each ends with one line and a meaningful exit code.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {assertCleanFailure, dapr} from '../helpers/cli.js'

describe('cluster flags and unresponsive clusters', function () {
  this.timeout(30_000)

  for (const args of [
    ['mtls', 'renew-certificate', '--restart'],
    ['mtls', 'renew-certificate', '--restart-apps'],
    ['mtls', 'rollback', '--concurrency', '3'],
    ['mtls', 'doctor', '-n', 'dapr-system'],
    ['mtls', 'expiry', '-n', 'dapr-system'],
    ['mtls', '--context', 'prod'],
  ]) {
    it(`refuses \`dapr ${args.join(' ')}\` without -k instead of silently working on disk (exit 2)`, async () => {
      const result = await dapr(args)
      assert.equal(result.exitCode, 2, result.stderr)
      assertCleanFailure(result)
      assert.match(result.stderr, /only applies to a Kubernetes cluster\n.*Add -k/)
    })
  }

  for (const args of [
    ['mtls', 'renew-certificate', '-k', '--certs-dir', '/tmp/certs'],
    // With -k the Sentry version comes from the cluster, never from a flag that could contradict it.
    ['mtls', 'renew-certificate', '-k', '--sentry-version', '1.18.0'],
    ['init', '-k', '--sentry-version', '1.18.0'],
    ['mtls', 'expiry', '-k', '--certs-dir', '/tmp/certs'],
    ['mtls', '-k', '--config-file', '/tmp/config.yaml'],
  ]) {
    it(`refuses \`dapr ${args.join(' ')}\` instead of silently ignoring the self-hosted flag (exit 2)`, async () => {
      const result = await dapr(args)
      assert.equal(result.exitCode, 2, result.stderr)
      assertCleanFailure(result)
      assert.match(result.stderr, /is only valid for self-hosted mode\n.*Drop/)
    })
  }

  describe('an API server that accepts connections and never answers', () => {
    let server: Server
    let dir: string
    const sockets: Socket[] = []

    before(async () => {
      server = createServer((socket) => sockets.push(socket))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const {port} = server.address() as {port: number}
      dir = mkdtempSync(path.join(tmpdir(), 'dapr-hang-'))
      writeFileSync(
        path.join(dir, 'kubeconfig'),
        [
          'apiVersion: v1',
          'kind: Config',
          `clusters: [{name: hang, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
          'users: [{name: u, user: {token: t}}]',
          'contexts: [{name: hang, context: {cluster: hang, user: u}}]',
          'current-context: hang',
        ].join('\n'),
      )
    })
    after(() => {
      for (const socket of sockets) socket.destroy()
      server.close()
      rmSync(dir, {recursive: true, force: true})
    })

    it('gives up after --request-timeout with a line naming the server', async () => {
      const started = Date.now()
      const result = await dapr([
        'status',
        '-k',
        '--kubeconfig',
        path.join(dir, 'kubeconfig'),
        '--request-timeout',
        '2',
      ])
      const seconds = (Date.now() - started) / 1000
      assert.equal(result.exitCode, 1, result.stderr)
      assertCleanFailure(result)
      assert.match(result.stderr, /the API server at http:\/\/127\.0\.0\.1:\d+ did not answer within 2s/)
      assert.ok(seconds < 10, `took ${seconds}s`)
    })
  })
})
