// The token commands as a user runs them, without a cluster: self-hosted `generate` (eval line, 0600 env file) and
// every refusal that comes before the cluster is asked anything: one line, exit 2 or 1, nothing written.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {assertCleanFailure, dapr} from '../helpers/cli.js'
import {snapshot} from '../helpers/dir-snapshot.js'

describe('api-token and app-token commands', function () {
  this.timeout(30_000)
  let dir: string
  // A kubeconfig whose server nobody answers: a refusal must come before any request.
  let kubeconfig: string

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dapr-tokens-cmd-'))
    kubeconfig = path.join(dir, 'kubeconfig')
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: c, context: {cluster: c, user: u}}]',
        'current-context: c',
      ].join('\n'),
    )
  })
  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
  })

  it('generate prints an export line for eval with a new 32-byte token each time', async () => {
    const first = await dapr(['api-token', 'generate'])
    const second = await dapr(['api-token', 'generate'])
    assert.equal(first.exitCode, 0, first.stderr)
    const match = /^export DAPR_API_TOKEN='([A-Za-z0-9+/=]{44})'$/.exec(first.stdout)
    assert.ok(match, first.stdout)
    assert.equal(Buffer.from(match[1] ?? '', 'base64').length, 32)
    assert.notEqual(first.stdout, second.stdout)
    const powershell = await dapr(['app-token', 'generate', '--shell', 'powershell'])
    assert.match(powershell.stdout, /^\$env:APP_API_TOKEN = '[A-Za-z0-9+/=]{44}'$/)
  })

  it('generate --out writes NAME=token with mode 0600, prints no token, and never replaces a file without --force', async () => {
    const file = path.join(dir, 'app.env')
    const written = await dapr(['app-token', 'generate', '--out', file])
    assert.equal(written.exitCode, 0, written.stderr)
    assert.equal(written.stdout, '')
    assert.equal(statSync(file).mode & 0o777, 0o600)
    const content = readFileSync(file, 'utf8')
    assert.match(content, /^APP_API_TOKEN=[A-Za-z0-9+/=]{44}\n$/)
    assert.ok(!written.stderr.includes(content.slice(14, 58)))

    const again = await dapr(['app-token', 'generate', '--out', file])
    assert.equal(again.exitCode, 1)
    assertCleanFailure(again)
    assert.match(again.stderr, /already exists; nothing was written\n.*--force/)
    assert.equal(readFileSync(file, 'utf8'), content)
    const forced = await dapr(['app-token', 'generate', '--out', file, '--force'])
    assert.equal(forced.exitCode, 0, forced.stderr)
    assert.notEqual(readFileSync(file, 'utf8'), content)
    assert.equal(statSync(file).mode & 0o777, 0o600)
  })

  for (const [title, args, code, pattern] of [
    [
      'create without -k',
      ['api-token', 'create', '--app-namespace', 'shop'],
      2,
      /works on Kubernetes Secrets: add -k\n.*generate/,
    ],
    ['generate with -k', ['api-token', 'generate', '-k'], 2, /is for self-hosted daprd\n.*create -k/],
    ['no namespace', ['api-token', 'create', '-k'], 2, /name the application namespaces/],
    [
      'a bad namespace name',
      ['app-token', 'status', '-k', '--app-namespace', 'Shop_1'],
      2,
      /--app-namespace Shop_1 is not a valid namespace name/,
    ],
    [
      'a bad workload',
      ['api-token', 'create', '-k', '--workload', 'shop/web'],
      2,
      /--workload shop\/web is not <namespace>\/<kind>\/<name>/,
    ],
    [
      'a bad Secret name',
      ['api-token', 'create', '-k', '--app-namespace', 'shop', '--secret-name', 'A B'],
      2,
      /--secret-name A B is not a valid Kubernetes name/,
    ],
    [
      '--app-namespace with --all-namespaces',
      ['api-token', 'status', '-k', '--all-namespaces', '--app-namespace', 'x'],
      2,
      /cannot also be provided/,
    ],
    [
      '--restart-only with --from-file',
      ['api-token', 'rotate', '-k', '--app-namespace', 'shop', '--restart-only', '--from-file', 'x'],
      2,
      /--restart-only writes no token/,
    ],
    [
      '--workload on rotate without --restart-only',
      ['api-token', 'rotate', '-k', '--workload', 'shop/deploy/web'],
      2,
      /restart-only/,
    ],
    [
      'a --from-file that does not exist',
      ['api-token', 'create', '-k', '--app-namespace', 'shop', '--from-file', 'nope.txt'],
      2,
      /--from-file nope\.txt: no such file/,
    ],
    [
      'an empty token on stdin',
      ['api-token', 'create', '-k', '--app-namespace', 'shop', '--from-file', '-'],
      2,
      /--from-file - \(standard input\) is empty/,
    ],
  ] as const) {
    it(`refuses ${title}: one line, exit ${code}, before the cluster is asked`, async () => {
      const before = snapshot(dir)
      const connection = args[1] === 'generate' ? [] : ['--kubeconfig', kubeconfig]
      const result = await dapr([...args, ...connection], {input: '\n'})
      assert.equal(result.exitCode, code, result.stderr)
      assertCleanFailure(result)
      assert.match(result.stderr, pattern)
      assert.doesNotMatch(result.stderr, /cannot reach/)
      assert.deepEqual(snapshot(dir), before)
    })
  }

  it('a token piped on stdin with spaces is refused as a usage error, and never echoed', async () => {
    const result = await dapr(
      ['api-token', 'create', '-k', '--app-namespace', 'shop', '--from-file', '-', '--kubeconfig', kubeconfig],
      {input: 'secret with spaces\n'},
    )
    assert.equal(result.exitCode, 2)
    assertCleanFailure(result)
    assert.doesNotMatch(result.stderr, /secret with spaces/)
  })
})
