// The OAuth middleware files `dapr oauth2 create` writes, loaded by a real daprd 1.18.0: the client-credentials
// Component (client secret through the local file secret store) fetches a token from a token server in the test and
// the app receives it; the authorization-code Component sends a request without a session to the auth URL (302).
// Each proof has its negative control.
import assert from 'node:assert/strict'
import {mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {startApp, type TestApp} from '../dapr/app.js'
import {startDaprd} from '../dapr/daprd.js'
import {startSentry} from '../dapr/sentry.js'
import {dapr} from '../helpers/cli.js'
import {Started} from '../helpers/started.js'

describe('oauth2 create, loaded by real daprd', function () {
  this.timeout(180_000)
  let work: string
  let certs: string
  const started = new Started()
  const track = <T extends {stop(): Promise<void>}>(thing: T): T => started.track(thing)

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'dapr-oauth-'))
    certs = path.join(work, 'certs')
    const init = await dapr(
      ['init', '--enable-mtls', '--certs-dir', certs, '--config-file', path.join(work, 'init-config.yaml')],
      {env: {HOME: work}},
    )
    assert.equal(init.exitCode, 0, init.stderr)
  })

  afterEach(async () => {
    await started.stop()
    await rm(work, {recursive: true, force: true})
  })

  /** A user's Configuration file before the command edits it: mTLS, sqlite name resolution, tracing, a comment. */
  async function userConfig(): Promise<string> {
    const file = path.join(work, 'config.yaml')
    await writeFile(
      file,
      [
        '# my daprd settings',
        'apiVersion: dapr.io/v1alpha1',
        'kind: Configuration',
        'metadata:',
        '  name: daprConfig',
        'spec:',
        '  mtls:',
        '    enabled: true',
        '  tracing:',
        '    samplingRate: "0" # keep tracing off',
        '  nameResolution:',
        '    component: sqlite',
        '    configuration:',
        `      connectionString: ${path.join(work, 'names.db')}`,
        '',
      ].join('\n'),
    )
    return file
  }

  /** Sentry on the init directory and a daprd for app `orders` behind `app`, with the given resources and config. */
  async function daprdWith(app: TestApp, resourcesPath: string, configFile: string) {
    const sentry = track(await startSentry({version: '1.18.0', credentialsDir: certs}))
    await sentry.ready()
    const daprd = track(
      await startDaprd({
        appId: 'orders',
        appPort: app.port,
        sentryAddress: sentry.address,
        trustAnchors: await readFile(path.join(certs, 'ca.crt'), 'utf8'),
        resourcesPath,
        configFile,
      }),
    )
    // Not ready(): GET /v1.0/healthz on the HTTP port goes through the pipeline too, so the middleware answers it.
    await daprd.waitForLog(/dapr initialized\. Status: Running/, 60_000)
    return daprd
  }

  /** A token server that answers only the expected client id and secret, as an authorization server does. */
  function tokenServer(clientId: string, clientSecret: string): Promise<TestApp> {
    return startApp((request) => {
      const form = new URLSearchParams(request.body)
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
        return {
          status: 401,
          body: JSON.stringify({error: 'invalid_client'}),
          headers: {'content-type': 'application/json'},
        }
      }
      return {
        body: JSON.stringify({access_token: 'tok-from-test', token_type: 'bearer', expires_in: 3600}),
        headers: {'content-type': 'application/json'},
      }
    })
  }

  async function clientCredentials(tokenUrl: string, secretFileText: string) {
    const resources = path.join(work, 'components')
    const configFile = await userConfig()
    const secretFile = path.join(work, 'client-secret.txt')
    await writeFile(secretFile, secretFileText)
    const result = await dapr(
      [
        'oauth2',
        'create',
        '--grant',
        'client-credentials',
        '--name',
        'orders-oauth',
        '--client-id',
        'orders-client',
        '--client-secret-file',
        '-',
        '--scopes',
        'orders.read orders.write',
        '--token-url',
        tokenUrl,
        '--allow-http',
        '--header-name',
        'x-orders-token',
        '--auth-style',
        '1',
        '--resources-path',
        resources,
        '--config-file',
        configFile,
        '--secrets-file',
        path.join(work, 'secrets', 'orders-oauth.json'),
      ],
      {env: {HOME: work}, input: await readFile(secretFile, 'utf8')},
    )
    assert.equal(result.exitCode, 0, result.stderr)
    return {resources, configFile, result}
  }

  it('client credentials: the app receives "x-orders-token: Bearer <token>" and the token server saw the client id and secret, which never sits in the Component', async () => {
    const server = track(await tokenServer('orders-client', 's3cr3t-value'))
    const app = track(await startApp())
    const {resources, configFile, result} = await clientCredentials(
      `http://127.0.0.1:${server.port}/token`,
      's3cr3t-value\n',
    )
    assert.ok(!result.stdout.includes('s3cr3t-value') && !result.stderr.includes('s3cr3t-value'))
    const component = await readFile(path.join(resources, 'orders-oauth.yaml'), 'utf8')
    assert.ok(!component.includes('s3cr3t-value'), component)
    const secrets = path.join(work, 'secrets', 'orders-oauth.json')
    assert.equal((await stat(secrets)).mode & 0o777, 0o600)
    // The user's file keeps its comments and settings; the handler is added.
    const config = await readFile(configFile, 'utf8')
    assert.match(config, /# my daprd settings/)
    assert.match(config, /samplingRate: "0" # keep tracing off/)

    const daprd = await daprdWith(app, resources, configFile)
    const response = await daprd.invoke('orders', 'through-oauth')
    assert.equal(response.status, 200, response.body)
    const received = app.requests.find((r) => r.url === '/through-oauth')
    assert.equal(received?.headers['x-orders-token'], 'Bearer tok-from-test')
    const form = new URLSearchParams(server.requests[0]?.body)
    assert.equal(form.get('grant_type'), 'client_credentials')
    assert.equal(form.get('client_id'), 'orders-client')
    assert.equal(form.get('client_secret'), 's3cr3t-value')
    assert.equal(form.get('scope'), 'orders.read orders.write')
  })

  it('negative control: with another client secret in the store the token server refuses, and the request never reaches the app', async () => {
    const server = track(await tokenServer('orders-client', 's3cr3t-value'))
    const app = track(await startApp())
    const {resources, configFile} = await clientCredentials(`http://127.0.0.1:${server.port}/token`, 'not-the-secret')
    const daprd = await daprdWith(app, resources, configFile)
    await daprd.invoke('orders', 'through-oauth')
    assert.equal(server.requests.length > 0, true)
    assert.equal(
      app.requests.find((r) => r.url === '/through-oauth'),
      undefined,
    )
  })

  it('authorization code: a request without a session is redirected (302) to the auth URL with the client id and the redirect URL; without the pipeline it reaches the app', async () => {
    const app = track(await startApp())
    const resources = path.join(work, 'components')
    const configFile = await userConfig()
    const withoutPipeline = await readFile(configFile, 'utf8')
    const result = await dapr(
      [
        'oauth2',
        'create',
        '--grant',
        'authorization-code',
        '--name',
        'login',
        '--client-id',
        'shop-web',
        '--client-secret-file',
        '-',
        '--scopes',
        'openid,profile',
        '--auth-url',
        'https://login.example.com/authorize',
        '--token-url',
        'https://login.example.com/token',
        '--redirect-url',
        'https://shop.example.com/callback',
        '--resources-path',
        resources,
        '--config-file',
        configFile,
      ],
      {env: {HOME: work}, input: 'web-secret'},
    )
    assert.equal(result.exitCode, 0, result.stderr)
    const daprd = await daprdWith(app, resources, configFile)
    const response = await daprd.invoke('orders', 'account', {redirect: 'manual'})
    assert.equal(response.status, 302, response.body)
    const location = new URL(response.headers.get('location') ?? '')
    assert.equal(`${location.origin}${location.pathname}`, 'https://login.example.com/authorize')
    assert.equal(location.searchParams.get('client_id'), 'shop-web')
    assert.equal(location.searchParams.get('redirect_uri'), 'https://shop.example.com/callback')
    assert.equal(location.searchParams.get('scope'), 'openid profile')
    assert.equal(location.searchParams.get('response_type'), 'code')
    assert.equal(
      app.requests.find((r) => r.url === '/account'),
      undefined,
    )

    // The same components without the handler in the Configuration: the request goes straight to the app.
    await writeFile(configFile, withoutPipeline)
    await mkdir(resources, {recursive: true})
    await daprd.stop()
    const plain = await daprdWith(app, resources, configFile)
    const direct = await plain.invoke('orders', 'account', {redirect: 'manual'})
    assert.equal(direct.status, 200)
    assert.ok(app.requests.some((r) => r.url === '/account'))
  })
})
