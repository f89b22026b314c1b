// `oauth2 create` on disk as a user runs it: the files, their modes, the client secret kept out of the Component
// and out of the output, and every refusal with one line and nothing written.
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import YAML from 'yaml'

import {assertCleanFailure, dapr} from '../helpers/cli.js'
import {snapshot} from '../helpers/dir-snapshot.js'

const mode = (file: string) => statSync(file).mode & 0o777

describe('oauth2 create on disk', function () {
  this.timeout(30_000)
  let home: string
  const at = () => ['--resources-path', path.join(home, 'components'), '--config-file', path.join(home, 'config.yaml')]
  const clientCredentials = [
    'oauth2',
    'create',
    '--grant',
    'client-credentials',
    '--name',
    'orders-oauth',
    '--client-id',
    'orders',
    '--client-secret-file',
    '-',
    '--scopes',
    'read',
    '--provider',
    'google',
  ]

  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'dapr-oauth-cmd-'))
  })
  afterEach(() => {
    rmSync(home, {recursive: true, force: true})
  })

  it('writes the secret store file 0600 under ~/.dapr/secrets, the Components without the secret, and the handler into the Configuration', async () => {
    const result = await dapr([...clientCredentials, ...at()], {env: {HOME: home}, input: 'client-s3cret\n'})
    assert.equal(result.exitCode, 0, result.stderr)
    assert.ok(!result.stdout.includes('client-s3cret') && !result.stderr.includes('client-s3cret'))
    const secrets = path.join(home, '.dapr', 'secrets', 'orders-oauth.json')
    assert.equal(mode(secrets), 0o600)
    assert.equal(mode(path.dirname(secrets)), 0o700)
    assert.deepEqual(JSON.parse(readFileSync(secrets, 'utf8')), {clientSecret: 'client-s3cret'})
    const component = readFileSync(path.join(home, 'components', 'orders-oauth.yaml'), 'utf8')
    assert.ok(!component.includes('client-s3cret'))
    assert.equal((YAML.parse(component) as {auth: {secretStore: string}}).auth.secretStore, 'orders-oauth-secrets')
    assert.match(component, /value: https:\/\/accounts\.google\.com\/o\/oauth2\/token/)
    const store = YAML.parse(readFileSync(path.join(home, 'components', 'orders-oauth-secrets.yaml'), 'utf8')) as {
      spec: {type: string; metadata: {value: string}[]}
    }
    assert.equal(store.spec.type, 'secretstores.local.file')
    assert.equal(store.spec.metadata[0]?.value, secrets)
    const config = YAML.parse(readFileSync(path.join(home, 'config.yaml'), 'utf8')) as {spec: unknown}
    assert.deepEqual(config.spec, {
      httpPipeline: {handlers: [{name: 'orders-oauth', type: 'middleware.http.oauth2clientcredentials'}]},
    })
    assert.match(result.stdout, /Start daprd with: --resources-path .*components --config .*config\.yaml/)
  })

  it('--plaintext puts the secret in the Component, mode 0600, and warns', async () => {
    const result = await dapr([...clientCredentials, ...at(), '--plaintext'], {
      env: {HOME: home},
      input: 'client-s3cret',
    })
    assert.equal(result.exitCode, 0, result.stderr)
    const component = path.join(home, 'components', 'orders-oauth.yaml')
    assert.equal(mode(component), 0o600)
    assert.match(readFileSync(component, 'utf8'), /value: client-s3cret/)
    assert.match(result.stderr, /written in plain text into .*orders-oauth\.yaml \(mode 0600\)/)
    assert.equal(existsSync(path.join(home, '.dapr', 'secrets')), false)
  })

  it('--dry-run lists the files and writes none', async () => {
    const result = await dapr([...clientCredentials, ...at(), '--dry-run'], {env: {HOME: home}, input: 'client-s3cret'})
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stdout, /orders-oauth\.yaml\s+OAuth component\s+created/)
    assert.deepEqual(snapshot(home), {})
  })

  for (const [title, args, input, code, pattern] of [
    [
      'an http token URL without --allow-http',
      ['--token-url', 'http://login.example.com/token'],
      's',
      2,
      /is not HTTPS/,
    ],
    ['an empty client secret on stdin', [], '\n', 2, /--client-secret-file - \(standard input\) is empty/],
    ['a -k flag without -k', ['--apply'], 's', 2, /--apply is only valid with -k/],
    [
      'a self-hosted flag with -k',
      ['-k', '--app-namespace', 'shop'],
      's',
      2,
      /--resources-path is only valid for self-hosted mode/,
    ],
    [
      'a redirect URL with client credentials',
      ['--redirect-url', 'https://x.example.com/'],
      's',
      2,
      /applies to --grant authorization-code only/,
    ],
  ] as const) {
    it(`refuses ${title}: one line, exit ${code}, nothing written`, async () => {
      const result = await dapr([...clientCredentials, ...at(), ...args], {env: {HOME: home}, input})
      assert.equal(result.exitCode, code, result.stderr)
      assertCleanFailure(result)
      assert.match(result.stderr, pattern)
      assert.deepEqual(snapshot(home), {})
    })
  }

  it('refuses -k without a namespace, and a client secret file that does not exist, before any request', async () => {
    const cluster = clientCredentials.concat(['-k', '--kubeconfig', '/nonexistent'])
    const noNamespace = await dapr(cluster, {env: {HOME: home}, input: 's'})
    assert.equal(noNamespace.exitCode, 2)
    assertCleanFailure(noNamespace)
    assert.match(noNamespace.stderr, /name where the middleware goes/)
    const missing = await dapr([...clientCredentials.map((a) => (a === '-' ? 'nope.txt' : a)), ...at()], {
      env: {HOME: home},
    })
    assert.equal(missing.exitCode, 2)
    assertCleanFailure(missing)
    assert.match(missing.stderr, /--client-secret-file nope\.txt: no such file/)
    assert.deepEqual(snapshot(home), {})
  })

  it('refuses a Configuration file that is not YAML, before writing any other file', async () => {
    const config = path.join(home, 'config.yaml')
    writeFileSync(config, 'spec: [\n')
    const before = snapshot(home)
    const result = await dapr([...clientCredentials, ...at()], {env: {HOME: home}, input: 's'})
    assert.equal(result.exitCode, 1, result.stderr)
    assertCleanFailure(result)
    assert.match(result.stderr, /config\.yaml is not a valid YAML Configuration/)
    assert.deepEqual(snapshot(home), before)
  })
})
