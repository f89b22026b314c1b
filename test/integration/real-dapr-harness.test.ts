// Proves the real-Dapr harness (test/dapr): real Sentry of both versions judges directories made by `dapr init`, two
// real daprd talk over mTLS with identities from a real Sentry, and Sentry in Kubernetes mode reads the trust bundle
// of the test cluster. Every proof has its negative control, so the harness is shown to be able to say no.
import assert from 'node:assert/strict'
import {copyFile, mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'

import YAML from 'yaml'

import {installDaprFixture} from '../cluster/fixture.js'
import {startApp} from '../dapr/app.js'
import {SENTRY_VERSIONS} from '../dapr/binaries.js'
import {startDaprd} from '../dapr/daprd.js'
import {sentryVerdict, startSentry} from '../dapr/sentry.js'
import {dapr} from '../helpers/cli.js'
import {perTest} from '../helpers/per-test.js'
import {adminKubeconfig, clients, readClusterBundle} from './context.js'

const BUNDLE_FILES = ['ca.crt', 'issuer.crt', 'issuer.key']

describe('real Dapr harness', function () {
  this.timeout(120_000)
  // What a test started is stopped after it in reverse order, whether it passed or not.
  const {work, track} = perTest('dapr-real-harness-')

  /** A certs directory made by `dapr init --enable-mtls`, as a self-hosted user makes one. */
  async function initCertsDir(name: string): Promise<string> {
    const certs = path.join(work(), name)
    const result = await dapr(
      ['init', '--enable-mtls', '--certs-dir', certs, '--config-file', path.join(work(), `${name}-config.yaml`)],
      {env: {HOME: work()}},
    )
    assert.equal(result.exitCode, 0, result.stderr)
    return certs
  }

  async function readBundle(dir: string): Promise<Buffer[]> {
    return Promise.all(BUNDLE_FILES.map((file) => readFile(path.join(dir, file))))
  }

  describe('self-hosted Sentry', () => {
    for (const version of SENTRY_VERSIONS) {
      it(`Sentry ${version} serves a dapr init directory and signs a workload certificate that verifies against its ca.crt, leaving the files byte-identical`, async () => {
        const certs = await initCertsDir('certs')
        const before = await readBundle(certs)
        const sentry = track(await startSentry({version, credentialsDir: certs}))
        await sentry.ready()
        await sentry.waitForLog(/Root and issuer certs found: using credentials from store/)

        const signed = await sentry.sign({caFile: path.join(certs, 'ca.crt'), id: 'checkout'})
        assert.equal(signed.verified, true, signed.error)
        assert.equal(signed.verifiedAnyUsage && signed.verifiedServerAuth, true)
        assert.equal(signed.spiffeId, 'spiffe://public/ns/default/checkout')
        assert.equal(signed.serverSpiffeId, 'spiffe://cluster.local/ns/default/dapr-sentry')
        await sentry.stop()
        assert.deepEqual(await readBundle(certs), before)
      })

      it(`Sentry ${version} refuses a directory whose issuer.key belongs to another issuer: it exits with its fatal message`, async () => {
        const certs = await initCertsDir('certs')
        const other = await initCertsDir('other')
        await copyFile(path.join(other, 'issuer.key'), path.join(certs, 'issuer.key'))
        const t0 = Date.now()
        const verdict = await sentryVerdict(version, certs)
        assert.equal(verdict.accepted, false)
        assert.match(verdict.accepted ? '' : verdict.reason, /issuer key does not match issuer certificate/)
        assert.deepEqual(verdict.changedFiles, [])
        assert.ok(Date.now() - t0 < 5000, `the verdict took ${Date.now() - t0} ms`)
      })
    }

    it('the verdict on a good directory: accepted, signed, verified, nothing changed', async () => {
      const certs = await initCertsDir('certs')
      const verdict = await sentryVerdict('1.18.0', certs)
      assert.equal(verdict.accepted, true, verdict.accepted ? '' : verdict.reason)
      assert.equal(verdict.accepted && verdict.signed.verified, true)
      assert.deepEqual(verdict.changedFiles, [])
    })

    it('the verdict sees Sentry regenerate a directory without issuer.key: all three files changed, and the new certificate does not verify against the old ca.crt', async () => {
      const certs = await initCertsDir('certs')
      await rm(path.join(certs, 'issuer.key'))
      const verdict = await sentryVerdict('1.16.2', certs)
      assert.equal(verdict.accepted, true, verdict.accepted ? '' : verdict.reason)
      assert.match(verdict.logs, /Root and issuer certs not found: generating self signed CA/)
      assert.deepEqual(verdict.changedFiles, BUNDLE_FILES)
      assert.equal(verdict.accepted && verdict.signed.handshake, false)
      assert.match(verdict.accepted ? (verdict.signed.error ?? '') : '', /certificate signed by unknown authority/)
    })
  })

  describe('two daprd 1.18.0 over mTLS', () => {
    it('an invocation from daprd a reaches the app behind daprd b, both with identities from Sentry 1.18.0 on a dapr init directory', async () => {
      const certs = await initCertsDir('certs')
      const sentry = track(await startSentry({version: '1.18.0', credentialsDir: certs}))
      await sentry.ready()
      const trustAnchors = await readFile(path.join(certs, 'ca.crt'), 'utf8')
      const nameResolutionFile = path.join(work(), 'names.db')
      const app = track(await startApp())
      const common = {sentryAddress: sentry.address, trustAnchors, nameResolutionFile}
      const b = track(await startDaprd({...common, appId: 'b', appPort: app.port}))
      const a = track(await startDaprd({...common, appId: 'a'}))
      await Promise.all([a.ready(), b.ready()])

      const response = await a.invoke('b', 'hello')
      assert.equal(response.status, 200, response.body)
      assert.equal(response.body, 'hello from /hello')
      const invocations = app.requests.filter((request) => request.url === '/hello')
      assert.equal(invocations.length, 1)
      assert.equal(invocations[0]?.headers['dapr-caller-app-id'], 'a')
    })

    it('the invocation fails with a certificate error when the caller trusts only an unrelated root', async () => {
      const certs = await initCertsDir('certs')
      const unrelated = await initCertsDir('unrelated')
      // The caller must still get an identity, so it has a Sentry of its own under the unrelated root.
      const sentry = track(await startSentry({version: '1.18.0', credentialsDir: certs}))
      const otherSentry = track(await startSentry({version: '1.18.0', credentialsDir: unrelated}))
      await Promise.all([sentry.ready(), otherSentry.ready()])
      const nameResolutionFile = path.join(work(), 'names.db')
      const app = track(await startApp())
      const b = track(
        await startDaprd({
          appId: 'b',
          appPort: app.port,
          sentryAddress: sentry.address,
          trustAnchors: await readFile(path.join(certs, 'ca.crt'), 'utf8'),
          nameResolutionFile,
        }),
      )
      const a = track(
        await startDaprd({
          appId: 'a',
          sentryAddress: otherSentry.address,
          trustAnchors: await readFile(path.join(unrelated, 'ca.crt'), 'utf8'),
          nameResolutionFile,
        }),
      )
      await Promise.all([a.ready(), b.ready()])

      const response = await a.invoke('b', 'hello')
      assert.equal(response.status, 500, response.body)
      assert.match(response.body, /ERR_DIRECT_INVOKE/)
      assert.match(response.body, /certificate signed by unknown authority/)
      assert.deepEqual(
        app.requests.filter((request) => request.url === '/hello'),
        [],
      )
    })
  })

  describe('components our daprd adds', () => {
    it('the oauth2clientcredentials middleware in an httpPipeline fetches a token and hands it to the app; without the pipeline the app gets none', async () => {
      const certs = await initCertsDir('certs')
      const sentry = track(await startSentry({version: '1.18.0', credentialsDir: certs}))
      await sentry.ready()
      const tokenServer = track(
        await startApp(() => ({
          body: JSON.stringify({access_token: 'tok-123', token_type: 'bearer', expires_in: 3600}),
          headers: {'content-type': 'application/json'},
        })),
      )
      const app = track(await startApp())
      const resources = path.join(work(), 'resources')
      await mkdir(resources)
      await writeFile(
        path.join(resources, 'oauth.yaml'),
        YAML.stringify({
          apiVersion: 'dapr.io/v1alpha1',
          kind: 'Component',
          metadata: {name: 'oauth'},
          spec: {
            type: 'middleware.http.oauth2clientcredentials',
            version: 'v1',
            metadata: [
              {name: 'clientId', value: 'orders'},
              {name: 'clientSecret', value: 'orders-secret'},
              {name: 'scopes', value: 'read'},
              {name: 'tokenURL', value: `http://127.0.0.1:${tokenServer.port}/token`},
              {name: 'headerName', value: 'x-token'},
              {name: 'authStyle', value: '1'},
            ],
          },
        }),
      )
      const common = {
        sentryAddress: sentry.address,
        trustAnchors: await readFile(path.join(certs, 'ca.crt'), 'utf8'),
        nameResolutionFile: path.join(work(), 'names.db'),
        appPort: app.port,
      }
      const withPipeline = track(
        await startDaprd({
          ...common,
          appId: 'orders',
          resourcesPath: resources,
          configSpec: {httpPipeline: {handlers: [{name: 'oauth', type: 'middleware.http.oauth2clientcredentials'}]}},
        }),
      )
      const without = track(await startDaprd({...common, appId: 'plain'}))
      await Promise.all([withPipeline.ready(), without.ready()])

      const invoke = async (daprd: typeof without, method: string) => {
        const response = await daprd.invoke(daprd.appId, method)
        assert.equal(response.status, 200, `${daprd.appId}: ${response.body}\n${daprd.logs().slice(-3000)}`)
      }
      await invoke(withPipeline, 'through-pipeline')
      await invoke(without, 'without-pipeline')
      const tokenOf = (url: string) => app.requests.find((request) => request.url === url)?.headers['x-token']
      assert.equal(tokenOf('/through-pipeline'), 'Bearer tok-123')
      assert.equal(tokenOf('/without-pipeline'), undefined)
      assert.ok(app.requests.some((request) => request.url === '/without-pipeline'))
      const tokenRequest = new URLSearchParams(tokenServer.requests[0]?.body)
      assert.equal(tokenRequest.get('grant_type'), 'client_credentials')
      assert.equal(tokenRequest.get('client_id'), 'orders')
    })
  })

  describe('Sentry in Kubernetes mode', () => {
    const namespace = 'dapr-system'

    beforeEach(async () => {
      await installDaprFixture(adminKubeconfig(), {appsNamespace: null})
    })

    it('Sentry 1.16.2 uses the fixture trust bundle as it is, writes nothing, and serves a certificate that verifies against the ConfigMap ca.crt', async () => {
      const before = await readClusterBundle(namespace)
      const caFile = path.join(work(), 'configmap-ca.crt')
      await writeFile(caFile, before.configMapCaCrt ?? '')
      const sentry = track(
        await startSentry({version: '1.16.2', mode: 'kubernetes', kubeconfig: adminKubeconfig(), namespace}),
      )
      await sentry.waitForLog(/Root and issuer certs found: using credentials from store/)
      await sentry.ready()

      const handshake = await sentry.sign({caFile, handshakeOnly: true})
      assert.equal(handshake.handshake, true, handshake.error)
      assert.equal(handshake.serverSpiffeId, 'spiffe://cluster.local/ns/dapr-system/dapr-sentry')
      // Only the Kubernetes validator is on in this mode: a request without a service-account token is refused.
      const signed = await sentry.sign({caFile, validator: 'insecure'})
      assert.match(signed.error ?? '', /the requested validator is not enabled/)
      const after = await readClusterBundle(namespace)
      assert.equal(after.secretVersion, before.secretVersion)
      assert.equal(after.configMapVersion, before.configMapVersion)
    })

    it('Sentry 1.16.2 regenerates the CA and rewrites both objects when the ConfigMap ca.crt differs from the Secret by one byte', async () => {
      const before = await readClusterBundle(namespace)
      const {core} = clients()
      const configMap = await core.readNamespacedConfigMap({name: 'dapr-trust-bundle', namespace})
      configMap.data = {...configMap.data, 'ca.crt': `${before.caCrt}\n`}
      await core.replaceNamespacedConfigMap({name: 'dapr-trust-bundle', namespace, body: configMap})
      const mismatched = await readClusterBundle(namespace)
      const oldCaFile = path.join(work(), 'old-ca.crt')
      await writeFile(oldCaFile, before.caCrt)

      const sentry = track(
        await startSentry({version: '1.16.2', mode: 'kubernetes', kubeconfig: adminKubeconfig(), namespace}),
      )
      await sentry.waitForLog(/Root and issuer certs not found: generating self signed CA/)
      await sentry.ready()
      const after = await readClusterBundle(namespace)
      assert.notEqual(after.secretVersion, mismatched.secretVersion)
      assert.notEqual(after.configMapVersion, mismatched.configMapVersion)
      assert.notEqual(after.caCrt, before.caCrt)
      assert.equal(after.configMapCaCrt, after.caCrt)

      const withOldRoot = await sentry.sign({caFile: oldCaFile, handshakeOnly: true})
      assert.equal(withOldRoot.handshake, false)
      assert.match(withOldRoot.error ?? '', /certificate signed by unknown authority/)
      const newCaFile = path.join(work(), 'new-ca.crt')
      await writeFile(newCaFile, after.caCrt)
      const withNewRoot = await sentry.sign({caFile: newCaFile, handshakeOnly: true})
      assert.equal(withNewRoot.handshake, true, withNewRoot.error)
    })
  })
})
