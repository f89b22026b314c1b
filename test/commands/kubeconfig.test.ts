// Connecting like kubectl: KUBECONFIG lists merged the way kubectl merges them, credential plugins that are missing or
// refuse (an expired login), and kubeconfig files that are empty or broken: one plain line each, naming the file,
// the plugin or the server, never a JavaScript error.
import assert from 'node:assert/strict'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {assertCleanFailure, dapr} from '../helpers/cli.js'

/** A kubeconfig whose one cluster, user and context are named as given; ports 1 and 2 refuse connections. */
function kubeconfig(options: {
  cluster: string
  server: string
  user?: string
  exec?: string
  current?: string
}): string {
  const user = options.exec
    ? `{name: ${options.user ?? 'u'}, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: "${options.exec}", args: [token], interactiveMode: Never}}}`
    : `{name: ${options.user ?? 'u'}, user: {token: t}}`
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: ${options.cluster}, cluster: {server: "${options.server}", insecure-skip-tls-verify: true}}]`,
    `users: [${user}]`,
    `contexts: [{name: ${options.cluster}, context: {cluster: ${options.cluster}, user: ${options.user ?? 'u'}}}]`,
    ...(options.current ? [`current-context: ${options.current}`] : []),
    '',
  ].join('\n')
}

describe('connecting like kubectl', function () {
  this.timeout(30_000)
  let dir: string
  const file = (name: string, text: string, mode = 0o600) => {
    const full = path.join(dir, name)
    writeFileSync(full, text, {mode})
    return full
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dapr-kubeconfig-'))
  })
  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
  })

  it('merges KUBECONFIG=a:b as kubectl does: the first definition of a name wins, current-context from the first file that sets it', async () => {
    const a = file('a', kubeconfig({cluster: 'prod', server: 'http://127.0.0.1:1'}))
    const b = file('b', kubeconfig({cluster: 'prod', server: 'http://127.0.0.1:2', current: 'prod'}))
    const result = await dapr(['status', '-k'], {env: {KUBECONFIG: `${a}:${b}`, HOME: dir}})
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.doesNotMatch(result.stderr, /Duplicate/)
    // Cluster "prod" from a (port 1), the current context from b.
    assert.match(result.stderr, /cannot reach the Kubernetes API server at http:\/\/127\.0\.0\.1:1 \(context prod\)/)
  })

  it('names a credential plugin that is not installed, and how to get it', async () => {
    // A plugin path where nothing is installed; only its name matters for the advice.
    const missing = path.join(dir, 'bin', 'gke-gcloud-auth-plugin')
    const config = file(
      'config',
      kubeconfig({cluster: 'gke', server: 'http://127.0.0.1:1', exec: missing, current: 'gke'}),
    )
    const result = await dapr(['status', '-k', '--kubeconfig', config], {env: {HOME: dir}})
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.match(
      result.stderr,
      /credential plugin ".*\/bin\/gke-gcloud-auth-plugin" \(context gke\) is not installed or not on PATH\n.*gcloud components install gke-gcloud-auth-plugin/,
    )
  })

  it('passes on what a failing plugin says (an expired login) with what to run', async () => {
    // A stand-in for kubelogin that fails the way it does when the login has expired.
    const plugin = file(
      'kubelogin',
      '#!/bin/sh\necho "error: the refresh token has expired; run kubelogin remove-tokens and log in again" >&2\nexit 1\n',
      0o755,
    )
    chmodSync(plugin, 0o755)
    const config = file(
      'config',
      kubeconfig({cluster: 'aks', server: 'http://127.0.0.1:1', exec: plugin, current: 'aks'}),
    )
    const result = await dapr(['mtls', 'expiry', '-k', '--kubeconfig', config], {env: {HOME: dir}})
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.match(
      result.stderr,
      /the credential plugin "kubelogin" of context aks failed: error: the refresh token has expired.*\n.*Log in again \(az login/,
    )
  })

  for (const [what, text, expected] of [
    ['empty', '', /the kubeconfig .*\/config is empty or not a kubeconfig/],
    ['not YAML', 'clusters: [unclosed\n', /the kubeconfig .*\/config is not valid YAML \(/],
    ['a list, not a kubeconfig', '- a\n- b\n', /the kubeconfig .*\/config is empty or not a kubeconfig/],
  ] as const) {
    it(`names a kubeconfig that is ${what}, with no JavaScript internals`, async () => {
      const config = file('config', text)
      const result = await dapr(['status', '-k', '--kubeconfig', config], {env: {HOME: dir}})
      assert.equal(result.exitCode, 1, result.stderr)
      assertCleanFailure(result)
      assert.match(result.stderr, expected)
      assert.doesNotMatch(result.stderr, /TypeError|Cannot read properties|undefined|null/)
    })
  }
})
