// Writes the V8 code caches of dist/vendor (run by scripts/build.mjs, in a process of its own). A cache written right
// after loading holds only the code that ran at load; this one is written after running the commands people run most,
// in this process, so it also holds every function they compiled (oclif's command loading and parsing, the Kubernetes
// client's requests, certificate parsing and generation). Output of the runs is thrown away. Cluster commands talk to
// a stand-in API server that answers every list with an empty list and every read with 404, which is enough to run
// the client's request and response code.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

const root = path.resolve(import.meta.dirname, '..')
const dist = (file) => pathToFileURL(path.join(root, 'dist', file)).href

/** A list (/api/v1/namespaces/ns/pods, /apis/apps/v1/deployments) rather than a read of one named object. */
function isList(url) {
  const segments = new URL(url, 'http://localhost').pathname.split('/').filter(Boolean)
  let rest = segments[0] === 'api' ? segments.slice(2) : segments.slice(3)
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2)
  return rest.length === 1
}

const server = http.createServer((request, response) => {
  const list = isList(request.url ?? '/')
  response.writeHead(list ? 200 : 404, {'Content-Type': 'application/json'})
  response.end(
    JSON.stringify(
      list
        ? {kind: 'List', apiVersion: 'v1', metadata: {resourceVersion: '1'}, items: []}
        : {kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404},
    ),
  )
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const {port} = server.address()

const work = mkdtempSync(path.join(tmpdir(), 'dapr-mtls-code-cache-'))
const kubeconfig = path.join(work, 'kubeconfig')
writeFileSync(
  kubeconfig,
  [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
    'users: [{name: u, user: {token: t}}]',
    'contexts: [{name: c, context: {cluster: c, user: u}}]',
    'current-context: c',
    '',
  ].join('\n'),
)
process.env.HOME = work
const certs = ['--certs-dir', path.join(work, 'certs')]
const cluster = ['-k', '--kubeconfig', kubeconfig]
const runs = [
  ['--version'],
  ['--help'],
  ['mtls', '--help'],
  ['init', '--enable-mtls', ...certs, '--config-file', path.join(work, 'config.yaml')],
  ['mtls', 'expiry', ...certs],
  ['mtls', 'renew-certificate', ...certs],
  ['mtls', 'expiry', ...certs, '-o', 'json'],
  ['status', ...cluster],
  ['mtls', ...cluster],
  ['mtls', 'expiry', ...cluster],
  ['mtls', 'renew-certificate', ...cluster, '-y'],
]

const {run} = await import(dist('index.js'))
const {loadBundle, writeCodeCaches} = await import(dist('loader.js'))
const write = {stdout: process.stdout.write, stderr: process.stderr.write}
for (const argv of runs) {
  process.stdout.write = () => true
  process.stderr.write = () => true
  try {
    await run(argv, pathToFileURL(path.join(root, 'bin', 'run.js')).href)
  } catch {
    // Errors (Dapr not installed on the stand-in server) are part of what the commands run.
  } finally {
    process.stdout.write = write.stdout
    process.stderr.write = write.stderr
  }
}
process.exitCode = 0
server.close()
rmSync(work, {recursive: true, force: true})

// Bundles no run loaded (other commands, prompts) still get a cache of their top level.
for (const id of JSON.parse(process.argv[2] ?? '[]')) loadBundle(id)
const written = writeCodeCaches()
const total = Object.values(written).reduce((sum, bytes) => sum + bytes, 0)
process.stdout.write(`code caches: ${Object.keys(written).length} bundles, ${(total / 1e6).toFixed(1)} MB\n`)
process.exit(0)
